#include "agent/actions/order_executor.hpp"

#include "shared/pki/secrets.hpp"

namespace triage::agent {

namespace {

std::vector<std::string> to_vector(const google::protobuf::RepeatedPtrField<std::string>& argv) {
  return {argv.begin(), argv.end()};
}

void run_post_check(const v1::PostCheck& check, const ExecutorOptions& options,
                    v1::OrderResult::PostCheckResult& out) {
  RunRequest request;
  request.argv = to_vector(check.argv());
  request.timeout = std::chrono::seconds(check.timeout_s() > 0 ? check.timeout_s() : 10);
  request.kill_grace = options.kill_grace;
  request.output_cap = kOutputExcerptBytes;
  out.set_ran(true);
  auto run = run_process(request);
  if (!run) {
    out.set_passed(false);
    out.set_exit_code(-1);
    out.set_output(run.error().message);
    return;
  }
  out.set_exit_code(run->exit_code.value_or(-1));
  out.set_passed(!run->timed_out && run->exit_code && *run->exit_code == check.expect_exit_code());
  out.set_output((run->stdout_text + run->stderr_text).substr(0, kOutputExcerptBytes));
}

}  // namespace

v1::OrderResult execute_order(const v1::OrderPayload& order, const OutputCallback& on_output,
                              const ExecutorOptions& options) {
  v1::OrderResult result;
  result.set_order_id(order.order_id());
  RunRequest request;
  request.argv = to_vector(order.argv());
  request.timeout = std::chrono::seconds(order.timeout_s());
  request.kill_grace = options.kill_grace;
  request.output_cap = static_cast<std::size_t>(order.output_cap_bytes());
  request.working_dir = "/";
  request.on_output = on_output;
  request.cancel_fd = options.cancel_fd;
  auto started = std::chrono::steady_clock::now();
  auto run = run_process(request);
  if (!run) {
    result.set_state(v1::FAILED);
    result.set_exit_code(-1);
    result.set_reason("could not start: " + run.error().message);
    result.set_duration_ms(
        static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                       std::chrono::steady_clock::now() - started)
                                       .count()));
    return result;
  }
  result.set_state(run->cancelled ? v1::CANCELLED : run->succeeded() ? v1::SUCCEEDED : v1::FAILED);
  result.set_exit_code(run->exit_code.value_or(-1));
  result.set_term_signal(run->term_signal);
  result.set_timed_out(run->timed_out);
  result.set_duration_ms(static_cast<std::uint64_t>(run->wall_time.count()));
  result.set_output_truncated(run->stdout_truncated || run->stderr_truncated);
  if (!run->succeeded()) result.set_reason(run->describe());
  result.set_stdout_bytes(run->stdout_text.size());
  result.set_stdout_sha256(pki::sha256_raw(run->stdout_text));
  std::string excerpt = run->stdout_text.substr(0, kOutputExcerptBytes);
  if (excerpt.size() < kOutputExcerptBytes) {
    excerpt += run->stderr_text.substr(0, kOutputExcerptBytes - excerpt.size());
  }
  result.set_output_excerpt(std::move(excerpt));
  if (run->succeeded() && order.has_post_check() && !order.post_check().argv().empty()) {
    run_post_check(order.post_check(), options, *result.mutable_post_check());
  }
  return result;
}

}  // namespace triage::agent
