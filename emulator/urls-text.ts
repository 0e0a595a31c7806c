// The emulator's URLs as the lines `opendimo emulator` and `npm start` print.
import type { EmulatorUrls } from './state.ts';

export function describeUrls(urls: EmulatorUrls): string[] {
  return [
    `  Tesla auth        ${urls.tesla.auth}/oauth2/v3/authorize  ·  /oauth2/v3/token`,
    `  Tesla Fleet NA    ${urls.tesla.na}/api/1/vehicles`,
    `  Tesla Fleet EU    ${urls.tesla.eu}/api/1/vehicles`,
    `  Smartcar Connect  ${urls.smartcar.connect}/oauth/authorize  ·  ${urls.smartcar.auth}/oauth/token`,
    `  Smartcar API      ${urls.smartcar.api}/v2.0/vehicles`,
    `  control plane     ${urls.control}/_emulator`,
  ];
}
