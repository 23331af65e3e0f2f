/** The built-in profile: a device with every catalogue signal (the default target). Real devices declare their own in rules/profiles.ts. */
import { SIGNAL_NAMES } from './dsl/catalogue.ts';
import type { Profile } from './dsl/rule.ts';

export const FULL_PROFILE: Profile = {
  name: 'full',
  description: 'every signal of the catalogue; outputs remote-unlock, immobiliser, siren',
  signals: SIGNAL_NAMES,
  outputs: ['remote-unlock', 'immobiliser', 'siren'],
  signing: 'checkpoint',
};
