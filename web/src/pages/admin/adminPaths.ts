// The hub administrator sees the hub's health and no patient data (issue 20). The hub's policy still lets hub-admin
// read the people it registered (deploy/load-demo.sh loads the demo data as hub-admin) and every AuditEvent, so the
// app itself opens none of the pages that read them for her: only her home.
import type { Home } from '../../auth/profession';

/** Whether a user of {@code home} may open the app's page at {@code pathname} (relative to the app's base). */
export function mayOpen(home: Home | undefined, pathname: string): boolean {
  if (home !== 'admin') return true;
  return pathname === '/' || pathname === '';
}
