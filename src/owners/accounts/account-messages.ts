// The text a new account's wallet signs at sign-up (EIP-191 personal_sign), proving that the browser
// holds the key of the address it registers and binding that address to the email and the sealed key.
// web/src/wallet/account-messages.ts builds the same text; owner-accounts.test.ts checks they agree.
export function signUpMessage(address: string, emailSha256: string, walletSha256: string): string {
  return `opendimo account\naddress: ${address.toLowerCase()}\nemail-sha256: ${emailSha256}\nwallet-sha256: ${walletSha256}`;
}
