// Which operations the signed-in user may call, from the OpenAPI document's x-triage-role.
// Only decides what the console shows: the server checks every request itself.

import { get } from './api.js';

const RANK = { viewer: 0, technician: 1, senior: 2, admin: 3 };
let operations = new Map();
let role = 'viewer';

export async function loadOperations() {
  const doc = await get('/api/v1/openapi.json');
  operations = new Map();
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(item)) {
      if (op && typeof op === 'object' && op['x-triage-role']) {
        operations.set(`${method.toUpperCase()} ${path}`, op['x-triage-role']);
      }
    }
  }
}

export function setRole(r) { role = r; }
export function currentRole() { return role; }

/** True when the user's role reaches the operation's: can('PATCH', '/api/v1/tickets/{id}'). */
export function can(method, path) {
  const need = operations.get(`${method} ${path}`);
  if (need === undefined) return false;
  return (RANK[role] ?? -1) >= (RANK[need] ?? 99);
}

/** True when the user's role reaches `need` ('viewer' … 'admin'), e.g. an action's min_role. */
export function reaches(need) {
  return (RANK[role] ?? -1) >= (RANK[need] ?? 99);
}
