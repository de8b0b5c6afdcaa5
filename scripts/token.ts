/**
 * Makes an API token and prints it once, with its hash and where the hash goes:
 *
 *   npm run token -- [--stage prod]
 *
 * Only the hash is stored (locally in API_TOKEN_HASHES, deployed in the stage's SSM parameter);
 * the token itself is shown here and nowhere else.
 */
import { parseArgs } from 'node:util';
import { hashApiToken, newApiToken } from '../lib/auth/api-tokens';

const { values } = parseArgs({ options: { stage: { type: 'string', default: 'dev' } } });
const stage = values.stage!;
if (!/^[a-zA-Z0-9-]+$/.test(stage)) {
  console.error(`token: --stage must be letters, digits and dashes, got "${stage}"`);
  process.exit(2);
}
const token = newApiToken();
const hash = hashApiToken(token);
const parameter = `/spawn-queue/${stage}/api-token-hashes`;

process.stdout.write(
  [
    `token  ${token}`,
    `hash   ${hash}`,
    '',
    'The token is shown once: give it to the client (Authorization: Bearer <token>).',
    '',
    'Locally:',
    `  API_TOKEN_HASHES=${hash} npm start`,
    '',
    `Deployed (stage ${stage}), before "serverless deploy --stage ${stage}":`,
    `  aws ssm put-parameter --name ${parameter} --type String --overwrite --value ${hash}`,
    '  (more tokens: a comma-separated list of hashes; a token is revoked by removing its hash)',
  ].join('\n') + '\n',
);
