// The identity GraphQL schema, shaped like DIMO's identity API (identity-api.dimo.zone/query) for the
// parts this node mirrors: vehicles, their synthetic and aftermarket devices, connections,
// manufacturers and SACD grants. Lists are Relay connections ordered by token id, descending, as DIMO's.
export const identitySchema = /* GraphQL */ `
  """
  A point in time, RFC 3339, second precision, UTC (block timestamps).
  """
  scalar Time
  """
  A 20-byte Ethereum address, as a checksummed 0x hex string.
  """
  scalar Address
  """
  An integer of arbitrary precision, decimal-encoded. Typically a uint256.
  """
  scalar BigInt

  type Query {
    "A vehicle by token id."
    vehicle(tokenId: Int!): Vehicle!
    "Minted vehicles, by token id descending. \`first\` and \`last\` are mutually exclusive (at most 100)."
    vehicles(first: Int, after: String, last: Int, before: String, filterBy: VehiclesFilter): VehicleConnection!
    syntheticDevice(by: SyntheticDeviceBy!): SyntheticDevice!
    aftermarketDevice(by: AftermarketDeviceBy!): AftermarketDevice!
  }

  input VehiclesFilter {
    "Vehicles this address owns."
    owner: Address
    "Vehicles this address owns or holds an active grant on."
    privileged: Address
    make: String
    model: String
    year: Int
  }

  input SyntheticDeviceBy {
    tokenId: Int
    address: Address
  }

  input AftermarketDeviceBy {
    tokenId: Int
    address: Address
  }

  type Vehicle {
    id: ID!
    tokenId: Int!
    "did:erc721:<chainId>:<contract>:<tokenId>"
    tokenDID: String!
    owner: Address!
    mintedAt: Time!
    definition: Definition
    syntheticDevice: SyntheticDevice
    aftermarketDevice: AftermarketDevice
    "Active (unexpired, current-owner, current-version) grants on this vehicle, per-vehicle and account-wide."
    sacds(first: Int, after: String): SacdConnection!
    "The active grant for this grantee, if any."
    sacd(grantee: Address!): Sacd
  }

  type Definition {
    id: String
    make: String
    model: String
    year: Int
  }

  type SyntheticDevice {
    id: ID!
    tokenId: Int!
    tokenDID: String!
    "The connection's token id (DIMO calls the connection an integration)."
    integrationId: Int!
    address: Address!
    mintedAt: Time!
    connection: Connection
    vehicle: Vehicle!
  }

  type Connection {
    name: String!
    address: Address!
    owner: Address!
    tokenId: BigInt!
    mintedAt: Time!
  }

  type AftermarketDevice {
    id: ID!
    tokenId: Int!
    tokenDID: String!
    manufacturer: Manufacturer!
    address: Address!
    owner: Address!
    mintedAt: Time!
    claimedAt: Time
    pairedAt: Time
    vehicle: Vehicle
  }

  type Manufacturer {
    id: ID!
    tokenId: Int!
    name: String!
    owner: Address!
    mintedAt: Time!
  }

  type Sacd {
    grantee: Address!
    "Hex string of the 2-bit privilege mask."
    permissions: String!
    "keccak256 of the signed consent document."
    source: String!
    createdAt: Time!
    expiresAt: Time!
    "True for an account-wide grant of the owner, false for a grant on this vehicle."
    accountWide: Boolean!
  }

  type PageInfo {
    startCursor: String
    endCursor: String
    hasPreviousPage: Boolean!
    hasNextPage: Boolean!
  }

  type VehicleEdge {
    node: Vehicle!
    cursor: String!
  }

  type VehicleConnection {
    totalCount: Int!
    edges: [VehicleEdge!]!
    nodes: [Vehicle!]!
    pageInfo: PageInfo!
  }

  type SacdEdge {
    node: Sacd!
    cursor: String!
  }

  type SacdConnection {
    totalCount: Int!
    edges: [SacdEdge!]!
    nodes: [Sacd!]!
    pageInfo: PageInfo!
  }
`;
