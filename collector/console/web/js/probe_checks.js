// The rules a probe's parameters must follow, as the collector and the agent apply them
// (shared/probes/probe_params.cpp, collector/probes/probe_params_json.cpp), so the form says
// what is wrong before a round trip. The server stays the authority: it checks everything
// again and its 400 is shown as it comes. Each check returns null or a message naming the
// field in backquotes, as the server's messages do.

const invalid = (field, why) => `\`${field}\` ${why}`;

function ipv4(text) {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  return parts.every((p) => p <= 255) ? parts : null;
}

function looksIpv6(text) {
  return text.length >= 2 && text.length <= 45 && (text.match(/:/g) ?? []).length >= 2
    && /^[0-9A-Fa-f:.]+$/.test(text);
}

function checkIpv6(host, field) {
  const text = host.toLowerCase();
  if (/^[0:]+$/.test(text)) return invalid(field, 'is the unspecified address; name one host');
  if (text.startsWith('ff')) return invalid(field, 'is a multicast address; name one host');
  const first = text.indexOf('::');
  if (text.includes(':::') || (first >= 0 && text.indexOf('::', first + 1) >= 0)) {
    return invalid(field, 'is not a valid IPv6 address');
  }
  return null;
}

/** A DNS name (not an address), as `resolve` and a TLS server name need. */
export function checkDnsName(name, field) {
  if (!name) return invalid(field, 'is empty');
  if (new TextEncoder().encode(name).length > 253) return invalid(field, 'is longer than 253 bytes');
  const rest = name.endsWith('.') ? name.slice(0, -1) : name;
  if (!rest) return invalid(field, 'is not a host name');
  for (const label of rest.split('.')) {
    if (!label || label.length > 63) return invalid(field, 'has an empty label or one over 63 bytes');
    if (!/^[A-Za-z0-9_-]+$/.test(label) || label.startsWith('-') || label.endsWith('-')) {
      return invalid(field, 'must be one host name (letters, digits, \'-\' and \'.\'): no lists, '
        + 'ranges, wildcards or network prefixes');
    }
  }
  if (/^[0-9.-]+$/.test(rest)) {
    return invalid(field, 'is neither a host name nor one dotted-quad IPv4 address (no address ranges)');
  }
  return null;
}

/** One host: a DNS name or one IPv4/IPv6 address, not unspecified, broadcast or multicast. */
export function checkHost(host, field) {
  if (!host) return invalid(field, 'is empty');
  const v4 = ipv4(host);
  if (v4) {
    if (v4[0] === 0) return invalid(field, 'is an unspecified (0.x.x.x) address; name one host');
    if (v4[0] >= 224 && v4[0] <= 239) return invalid(field, 'is a multicast address');
    if (v4.every((p) => p === 255)) return invalid(field, 'is the broadcast address');
    return null;
  }
  if (looksIpv6(host)) return checkIpv6(host, field);
  return checkDnsName(host, field);
}

/** An absolute http(s) URL without user information, of at most 2048 printable bytes. */
export function checkUrl(url) {
  const field = 'url';
  if (!url) return invalid(field, 'is empty');
  if (url.length > 2048) return invalid(field, 'is longer than 2048 bytes');
  if (!/^[\x21-\x7e]+$/.test(url)) return invalid(field, 'must be printable ASCII without spaces');
  const scheme = /^https?:\/\//i.exec(url);
  if (!scheme) return invalid(field, 'must start with http:// or https://');
  const rest = url.slice(scheme[0].length);
  const end = rest.search(/[/?#]/);
  const authority = end < 0 ? rest : rest.slice(0, end);
  if (authority.includes('@')) return invalid(field, 'must not carry a user name or password');
  let host = authority;
  let port = null;
  if (authority.startsWith('[')) {
    const close = authority.indexOf(']');
    if (close < 0) return invalid(field, 'has an unclosed [IPv6] host');
    host = authority.slice(1, close);
    const after = authority.slice(close + 1);
    if (after) {
      if (!after.startsWith(':')) return invalid(field, 'has text after its [IPv6] host');
      port = after.slice(1);
    }
    if (!looksIpv6(host)) return invalid(field, 'has a bracketed host that is not IPv6');
  } else if (authority.lastIndexOf(':') >= 0) {
    host = authority.slice(0, authority.lastIndexOf(':'));
    port = authority.slice(authority.lastIndexOf(':') + 1);
  }
  const bad = checkHost(host, 'url host');
  if (bad) return bad;
  if (port !== null && !(/^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535)) {
    return invalid(field, 'has a port that is not one number from 1 to 65535');
  }
  return null;
}

/** An absolute directory path without `..` or control characters. */
export function checkPath(path) {
  const field = 'path';
  if (!path.startsWith('/') || new TextEncoder().encode(path).length > 4096) {
    return invalid(field, 'must be an absolute path of at most 4096 bytes');
  }
  if (/[\x00-\x1f\x7f]/.test(path)) return invalid(field, 'must not hold control characters');
  if (path.split('/').includes('..')) return invalid(field, 'must not hold `..`');
  return null;
}

/** A process name as ps or Task Manager shows it: 1-64 printable bytes, no path, no wildcards. */
export function checkProcessName(name) {
  const field = 'process';
  const size = new TextEncoder().encode(name).length;
  if (size < 1 || size > 64) return invalid(field, 'must be 1 to 64 bytes');
  if (!/^[\x20-\x7e]+$/.test(name) || /[/\\*?]/.test(name)) {
    return invalid(field, 'must be one process name (printable, no path, no wildcards): not a pattern');
  }
  return null;
}

/** `connections` takes a process id or a process name: exactly one of the two. */
export function checkPidOrProcess(params) {
  const pid = params.pid !== undefined && params.pid !== '';
  const process = params.process !== undefined && params.process !== '';
  if (!pid && !process) return invalid('pid', 'or `process`: give a process id or a process name');
  if (pid && process) return invalid('pid', 'or `process`: give exactly one of the two, not both');
  return null;
}

/**
 * A journal unit or syslog identifier ("cups.service", "sshd"), or an Event Log channel:
 * 1-256 bytes of letters, digits, - _ . @ : / \ and inner spaces.
 */
export function checkLogSource(source) {
  const field = 'source';
  const size = new TextEncoder().encode(source).length;
  if (size < 1 || size > 256) return invalid(field, 'must be 1 to 256 bytes');
  if (!/^[A-Za-z0-9\-_.@:/\\ ]+$/.test(source) || source.startsWith(' ') || source.endsWith(' ')) {
    return invalid(field, 'must be one unit, identifier or channel name (letters, digits, - _ . @ : / '
      + '\\ and inner spaces): no patterns');
  }
  return null;
}

/** Syslog's levels, most severe first, as `log_lines` takes them. */
export const LOG_LEVELS = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'];

export function checkLogLevel(level) {
  if (!LOG_LEVELS.includes(level)) return invalid('min_level', `must be one of ${LOG_LEVELS.join(', ')}`);
  return null;
}

/** An integer from `min` to `max` (the text of a number input). */
export function checkInteger(text, field, min, max) {
  if (!/^-?\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    return `parameter \`${field}\` must be one integer from ${min} to ${max}`;
  }
  return null;
}
