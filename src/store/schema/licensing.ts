// Table types: licensing mirror (src/licensing)

export interface LicensingLicensesTable {
  license_id: string;
  holder: string;
  kind: number;
  status: number;
  legal_name: string;
  dba: string;
  website: string;
  support_email: string;
  /** Decimal wei. */
  stake: string;
  requirement_floor: string;
  connected_users: string;
  open_challenges: number;
  status_reason: string;
  status_by: string | null;
  /** Unix seconds; 0 while live. */
  ended_at_sec: number;
  issued_at: number;
  issued_block: number;
}

export interface LicensingParamsTable {
  name: string;
  value: string;
}

export interface LicensingBansTable {
  identity: string;
  banned_by: string;
  reason: string;
  banned_at: number;
}

export interface LicensingLinksTable {
  account: string;
  controller: string;
  linked_by: string;
  linked_at: number;
}

export interface LicensingRelayersTable {
  relayer: string;
  license_id: string;
}

export interface LicensingChallengesTable {
  challenge_id: string;
  license_id: string;
  challenger: string;
  deposit: string;
  reason_uri: string;
  status: string;
  slashed: string;
  burned: string;
  challenger_reward: string;
  owners_total: string;
  owners_root: string | null;
  owners_claimed: string;
  ruling_uri: string | null;
  opened_at: number;
  decided_at: number | null;
}

export interface LicensingSubscriptionsTable {
  subscription_id: string;
  app_license_id: string;
  vehicle_id: string;
  node_license_id: string;
  price_per_period: string;
  period_sec: number;
  start_sec: number;
  end_sec: number;
  status: string;
  creator: string;
  cancelled_by: string | null;
  created_at: number;
}

export interface LicensingPaymentsTable {
  payment_id: string;
  subscription_id: string;
  payer: string;
  token: string;
  amount: string;
  dimo_value: string;
  periods: number;
  paid_until_sec: number;
  owner: string | null;
  node: string | null;
  treasury: string | null;
  owner_share: string | null;
  node_share: string | null;
  treasury_share: string | null;
  paid_at: number;
  tx_hash: string;
}
