// A license application as the licensing routes return it (src/console/license-applications.ts builds
// it). Plain types with no imports, so the dashboard (web/) imports them too.

export interface ApplicationView {
  id: number;
  applicant: string;
  kind: string;
  legalName: string;
  dba: string;
  website: string;
  supportEmail: string;
  note: string;
  status: 'pending' | 'issued' | 'rejected' | 'withdrawn';
  decisionReason: string | null;
  decidedBy: string | null;
  licenseId: string | null;
  txHash: string | null;
  createdAt: number;
  decidedAt: number | null;
}
