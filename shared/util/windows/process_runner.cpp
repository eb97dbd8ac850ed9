// The Windows process runner: CreateProcessW of an explicit argv quoted by the C runtime's
// rules, created suspended, put in a Job object (so a timeout or a cancel ends the whole tree,
// and closing the job ends whatever is left) and then resumed. The child inherits only the NUL
// device and the write ends of its two output pipes (PROC_THREAD_ATTRIBUTE_HANDLE_LIST), gets a
// scrubbed environment, and its output is read from overlapped named pipes while the runner
// waits on the process, the cancel event and the deadline.
#include "shared/util/process_runner.hpp"

#include "shared/util/windows/windows_api.hpp"

#include <algorithm>
#include <cwctype>
#include <memory>
#include <type_traits>
#include <vector>

#include "shared/util/command_interpreters.hpp"
#include "shared/util/windows/child_environment.hpp"
#include "shared/util/windows/output_pipe.hpp"
#include "shared/util/windows/unique_handle.hpp"
#include "shared/util/windows/wide_string.hpp"
#include "shared/util/windows_command_line.hpp"

namespace triage {
namespace {

using Clock = std::chrono::steady_clock;

// CreateProcessW's limit on lpCommandLine, in UTF-16 units, including the terminating NUL.
constexpr std::size_t kMaxCommandLine = 32767;

bool has_program_extension(const std::filesystem::path& p) {
  auto ext = p.extension().wstring();
  for (auto& c : ext) c = static_cast<wchar_t>(std::towlower(c));
  return ext == L".exe" || ext == L".com";
}

std::string display(const std::filesystem::path& p) { return narrow(p.wstring()); }

bool names_a_file(const std::filesystem::path& p) {
  const DWORD attributes = ::GetFileAttributesW(p.c_str());
  return attributes != INVALID_FILE_ATTRIBUTES && (attributes & FILE_ATTRIBUTE_DIRECTORY) == 0;
}

/// The file `program` opens once links, junctions and 8.3 short names are resolved
/// ("C:\PROGRA~1\x\POWERS~1.EXE" is "C:\Program Files\x\powershell.exe").
Result<std::filesystem::path> final_path(const std::filesystem::path& program) {
  UniqueHandle file(::CreateFileW(program.c_str(), FILE_READ_ATTRIBUTES,
                                  FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
                                  OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, nullptr));
  if (!file.valid()) return fail(last_error_text("cannot open " + display(program)));
  std::wstring buf(1024, L'\0');
  DWORD n = ::GetFinalPathNameByHandleW(file.get(), buf.data(), static_cast<DWORD>(buf.size()),
                                        FILE_NAME_NORMALIZED | VOLUME_NAME_DOS);
  if (n >= buf.size()) {
    buf.resize(n + 1);
    n = ::GetFinalPathNameByHandleW(file.get(), buf.data(), static_cast<DWORD>(buf.size()),
                                    FILE_NAME_NORMALIZED | VOLUME_NAME_DOS);
  }
  if (n == 0 || n >= buf.size()) {
    return fail(last_error_text("cannot resolve " + display(program)));
  }
  buf.resize(n);
  // "\\?\C:\..." and "\\?\UNC\server\..." as the plain paths CreateProcessW expects.
  if (buf.rfind(L"\\\\?\\UNC\\", 0) == 0) {
    buf = L"\\\\" + buf.substr(8);
  } else if (buf.rfind(L"\\\\?\\", 0) == 0 && buf.size() > 6 && buf[5] == L':') {
    buf = buf.substr(4);
  }
  return std::filesystem::path(buf);
}

DWORD ms_until(Clock::time_point t) {
  const auto d = std::chrono::duration_cast<std::chrono::milliseconds>(t - Clock::now()).count();
  return d <= 0 ? 0 : static_cast<DWORD>(std::min<long long>(d, 60'000));
}

std::chrono::milliseconds to_ms(LARGE_INTEGER hundred_ns) {
  return std::chrono::milliseconds(hundred_ns.QuadPart / 10'000);
}

std::chrono::milliseconds to_ms(FILETIME t) {
  ULARGE_INTEGER v;
  v.LowPart = t.dwLowDateTime;
  v.HighPart = t.dwHighDateTime;
  return std::chrono::milliseconds(static_cast<long long>(v.QuadPart / 10'000));
}

/// Releases a PROC_THREAD_ATTRIBUTE_LIST.
struct AttributeListDeleter {
  void operator()(LPPROC_THREAD_ATTRIBUTE_LIST list) const {
    ::DeleteProcThreadAttributeList(list);
    ::HeapFree(::GetProcessHeap(), 0, list);
  }
};
using AttributeList =
    std::unique_ptr<std::remove_pointer_t<LPPROC_THREAD_ATTRIBUTE_LIST>, AttributeListDeleter>;

/// An attribute list that lets the child inherit exactly `handles`.
Result<AttributeList> inherit_only(HANDLE* handles, std::size_t count) {
  SIZE_T size = 0;
  ::InitializeProcThreadAttributeList(nullptr, 1, 0, &size);
  auto* raw = static_cast<LPPROC_THREAD_ATTRIBUTE_LIST>(::HeapAlloc(::GetProcessHeap(), 0, size));
  if (raw == nullptr) return fail("cannot allocate a process attribute list");
  if (!::InitializeProcThreadAttributeList(raw, 1, 0, &size)) {
    ::HeapFree(::GetProcessHeap(), 0, raw);
    return fail(last_error_text("InitializeProcThreadAttributeList"));
  }
  AttributeList list(raw);
  if (!::UpdateProcThreadAttribute(list.get(), 0, PROC_THREAD_ATTRIBUTE_HANDLE_LIST, handles,
                                   count * sizeof(HANDLE), nullptr, nullptr)) {
    return fail(last_error_text("UpdateProcThreadAttribute(HANDLE_LIST)"));
  }
  return list;
}

/// A job that ends every process in it when it is closed, and in which a crash ends the
/// process instead of waiting on an error dialog.
Result<UniqueHandle> make_job() {
  UniqueHandle job(::CreateJobObjectW(nullptr, nullptr));
  if (!job.valid()) return fail(last_error_text("CreateJobObjectW"));
  JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits{};
  limits.BasicLimitInformation.LimitFlags =
      JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE | JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION;
  if (!::SetInformationJobObject(job.get(), JobObjectExtendedLimitInformation, &limits,
                                 sizeof limits)) {
    return fail(last_error_text("SetInformationJobObject"));
  }
  return job;
}

/// CPU time of every process that ran in `job`.
std::chrono::milliseconds job_cpu_time(HANDLE job, HANDLE process) {
  JOBOBJECT_BASIC_ACCOUNTING_INFORMATION accounting{};
  if (::QueryInformationJobObject(job, JobObjectBasicAccountingInformation, &accounting,
                                  sizeof accounting, nullptr)) {
    return to_ms(accounting.TotalUserTime) + to_ms(accounting.TotalKernelTime);
  }
  FILETIME created, ended, kernel, user;
  if (::GetProcessTimes(process, &created, &ended, &kernel, &user)) {
    return to_ms(kernel) + to_ms(user);
  }
  return std::chrono::milliseconds(0);
}

}  // namespace

std::optional<std::filesystem::path> find_program(std::string_view name) {
  if (name.empty() || name.find('\0') != std::string_view::npos) return std::nullopt;
  auto wide = widen(name);
  if (!wide) return std::nullopt;
  const std::filesystem::path given(*wide);
  auto usable = [](const std::filesystem::path& p) {
    return has_program_extension(p) && names_a_file(p);
  };
  if (given.is_absolute()) {
    if (usable(given)) return given;
    return std::nullopt;
  }
  // A relative path or a drive-relative one ("C:x.exe") depends on the current directory.
  if (wide->find_first_of(L"/\\:") != std::wstring::npos) return std::nullopt;
  for (const auto& dir : program_search_directories()) {
    auto candidate = dir / given;
    if (usable(candidate)) return candidate;
    candidate += L".exe";
    if (usable(candidate)) return candidate;
  }
  return std::nullopt;
}

Result<RunResult> run_process(const RunRequest& request) {
  if (request.argv.empty()) return fail("run_process: empty argv");
  const auto& program_name = request.argv[0];
  auto program = find_program(program_name);
  if (!program) {
    std::string searched;
    for (const auto& dir : program_search_directories()) {
      searched += (searched.empty() ? "" : ";") + display(dir);
    }
    return fail(std::string(kNotInstalledPrefix) + program_name + " (searched " + searched +
                "; programs are .exe or .com files)");
  }
  auto resolved = final_path(*program);
  if (!resolved) return fail("cannot start " + program_name, resolved.error());
  // CreateProcessW runs a .bat or .cmd through cmd.exe whatever the argv says, and links and
  // 8.3 names can hide an interpreter's name: the resolved file decides.
  if (!has_program_extension(*resolved) || is_command_interpreter(program_name) ||
      is_command_interpreter(display(*resolved))) {
    return fail(ErrorCode::kDenied, "cannot start " + program_name + ": " + display(*resolved) +
                                        " is a shell, interpreter or script; it is never run");
  }

  std::vector<std::string> argv = request.argv;
  argv[0] = display(*resolved);
  auto line = windows_command_line(argv);
  if (!line) return tl::unexpected(line.error());
  auto wide_line = widen(*line);
  if (!wide_line) {
    return fail(ErrorCode::kInvalid, "cannot start " + program_name + ": an argument is not UTF-8");
  }
  if (wide_line->size() + 1 > kMaxCommandLine) {
    return fail(ErrorCode::kInvalid, "cannot start " + program_name + ": the command line is " +
                                         std::to_string(wide_line->size()) +
                                         " characters, over Windows' limit of 32766");
  }
  auto env = child_environment_block(request.env);
  if (!env) return tl::unexpected(env.error());

  auto out = make_output_pipe();
  if (!out) return tl::unexpected(out.error());
  auto err = make_output_pipe();
  if (!err) return tl::unexpected(err.error());
  SECURITY_ATTRIBUTES inheritable{sizeof(SECURITY_ATTRIBUTES), nullptr, TRUE};
  UniqueHandle nul(::CreateFileW(L"NUL", GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE,
                                 &inheritable, OPEN_EXISTING, 0, nullptr));
  if (!nul.valid()) return fail(last_error_text("cannot open NUL"));
  HANDLE inherited[] = {nul.get(), out->write_end.get(), err->write_end.get()};
  auto attributes = inherit_only(inherited, 3);
  if (!attributes) return tl::unexpected(attributes.error());
  auto job = make_job();
  if (!job) return tl::unexpected(job.error());

  STARTUPINFOEXW startup{};
  startup.StartupInfo.cb = sizeof startup;
  startup.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
  startup.StartupInfo.hStdInput = nul.get();
  startup.StartupInfo.hStdOutput = out->write_end.get();
  startup.StartupInfo.hStdError = err->write_end.get();
  startup.lpAttributeList = attributes->get();
  std::wstring working_dir = request.working_dir.wstring();
  if (request.working_dir == std::filesystem::path("/")) {
    working_dir = windows_directory().wstring().substr(0, 2) + L"\\";  // the system drive
  }
  const std::wstring application = resolved->wstring();
  std::vector<wchar_t> command_line(wide_line->begin(), wide_line->end());
  command_line.push_back(L'\0');

  const auto started = Clock::now();
  PROCESS_INFORMATION info{};
  // Suspended until it is in the job, so that nothing it starts can escape the job.
  if (!::CreateProcessW(application.c_str(), command_line.data(), nullptr, nullptr, TRUE,
                        CREATE_SUSPENDED | CREATE_UNICODE_ENVIRONMENT | CREATE_NO_WINDOW |
                            EXTENDED_STARTUPINFO_PRESENT,
                        env->data(), working_dir.c_str(), &startup.StartupInfo, &info)) {
    return fail(last_error_text("cannot start " + display(*resolved)));
  }
  UniqueHandle process(info.hProcess);
  UniqueHandle thread(info.hThread);
  if (!::AssignProcessToJobObject(job->get(), process.get())) {
    const auto why = last_error_text("AssignProcessToJobObject");
    ::TerminateProcess(process.get(), 1);
    return fail("cannot start " + display(*resolved) + ": " + why);
  }
  ::ResumeThread(thread.get());
  thread.reset();
  // Only the child holds the write ends now: the pipes close when the tree has exited.
  out->write_end.reset();
  err->write_end.reset();
  nul.reset();

  RunResult result;
  OutputReader readers[2] = {{std::move(out->read_end), OutputStream::kStdout, request.output_cap,
                              request.on_output, result.stdout_text, result.stdout_truncated},
                             {std::move(err->read_end), OutputStream::kStderr, request.output_cap,
                              request.on_output, result.stderr_text, result.stderr_truncated}};
  const HANDLE cancel = request.cancel_fd >= 0 ? ::LongToHandle(request.cancel_fd) : nullptr;
  for (auto& reader : readers) reader.read();

  const auto deadline = started + request.timeout;
  bool exited = false;
  bool exited_by_itself = false;
  bool terminated = false;
  Clock::time_point terminated_at{};
  auto terminate = [&] {
    ::TerminateJobObject(job->get(), 1);
    terminated = true;
    terminated_at = Clock::now();
  };
  while (!exited || readers[0].open() || readers[1].open()) {
    // Pipes still open after the job ended: a process outside the job holds a write end.
    if (terminated && Clock::now() >= terminated_at + request.kill_grace) break;
    HANDLE waits[4];
    int reader_at[2] = {-1, -1};
    int process_at = -1;
    int cancel_at = -1;
    DWORD n = 0;
    for (int i = 0; i < 2; ++i) {
      if (readers[i].pending()) {
        reader_at[i] = static_cast<int>(n);
        waits[n++] = readers[i].event();
      }
    }
    if (!exited) {
      process_at = static_cast<int>(n);
      waits[n++] = process.get();
    }
    if (!terminated && !exited && cancel != nullptr) {
      cancel_at = static_cast<int>(n);
      waits[n++] = cancel;
    }
    if (n == 0) break;
    const DWORD wait_ms =
        terminated ? ms_until(terminated_at + request.kill_grace) : ms_until(deadline);
    const DWORD ready = ::WaitForMultipleObjects(n, waits, FALSE, wait_ms);
    if (ready == WAIT_FAILED) break;
    if (ready < WAIT_OBJECT_0 + n) {
      const int at = static_cast<int>(ready - WAIT_OBJECT_0);
      for (int i = 0; i < 2; ++i) {
        if (at == reader_at[i]) readers[i].on_ready();
      }
      if (at == process_at) {
        exited = true;
        exited_by_itself = !terminated;
      }
      if (at == cancel_at) {
        // Ends like a timeout, but is reported as a cancellation.
        result.cancelled = true;
        result.timed_out = true;
        terminate();
      }
    }
    if (!terminated && Clock::now() >= deadline) {
      result.timed_out = true;
      terminate();
    }
  }
  if (!exited) {
    ::TerminateJobObject(job->get(), 1);
    ::WaitForSingleObject(process.get(), 5000);
  }
  for (auto& reader : readers) reader.close();

  result.wall_time = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
  result.cpu_time = job_cpu_time(job->get(), process.get());
  if (result.cancelled) result.timed_out = false;
  // A program the runner ended has no exit status of its own (as one killed by a signal).
  DWORD code = 0;
  if (exited_by_itself && ::GetExitCodeProcess(process.get(), &code) && code != STILL_ACTIVE) {
    result.exit_code = static_cast<int>(code);
  }
  return result;
}

}  // namespace triage
