// Must match src/owners/accounts/account-messages.ts (the node checks this signature at sign-up).
export function signUpMessage(address: string, emailSha256: string, walletSha256: string): string {
  return `opendimo account\naddress: ${address.toLowerCase()}\nemail-sha256: ${emailSha256}\nwallet-sha256: ${walletSha256}`;
}
