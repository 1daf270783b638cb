// `npm run openapi:generate [path/to/swagger.json]`: regenerates openapi/generated/builtin-schemas.json from the
// upstream Kubernetes OpenAPI v2 document, which stays outside the repository.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { extractFacts, stableStringify, type SwaggerV2 } from './facts.js';
import { BUILTIN_SCHEMAS_FILE } from './schemas.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const input = resolve(process.argv[2] ?? resolve(repoRoot, '../shared/reference/kubernetes-v1.35-swagger.json'));
const output = fileURLToPath(BUILTIN_SCHEMAS_FILE);

const swagger = JSON.parse(readFileSync(input, 'utf8')) as SwaggerV2;
const schemas = extractFacts(swagger);
mkdirSync(dirname(output), { recursive: true });
writeFileSync(output, stableStringify({ version: swagger.info?.version ?? 'unversioned', schemas }, 1) + '\n');
console.log(`wrote ${Object.keys(schemas).length} schemas to ${output}`);
