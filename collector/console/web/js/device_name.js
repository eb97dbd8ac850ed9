// How a page names a device it knows by id: by its host name (the id as the tooltip), or by
// a shortened id when the device could not be read or has no host name.

/** "90f6b131…" for a long id (UUID); a short one as it is. */
export const shortId = (id) => (String(id).length > 12 ? `${String(id).slice(0, 8)}…` : String(id));

/**
 * deviceName(id) over `devices`, a Map device id → the device as GET /api/v1/devices/{id}
 * returned it (with `hostname`), or null for one that could not be read. The Map may grow
 * after this is called: each call looks it up again.
 */
export function deviceNamer(devices) {
  return (id) => devices?.get(id)?.hostname || shortId(id);
}
