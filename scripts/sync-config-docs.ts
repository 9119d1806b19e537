/**
 * npm run config:sync
 *
 * Rewrites the `config:` block of Pulumi.yaml and the config tables in README.md from the config contract in
 * components/config/schema.ts (scripts/configDocs.ts), and components/config/providerKeys.ts from the installed
 * provider SDKs. test/contracts/config.test.ts fails when they drift apart.
 */
import * as fs from "fs";
import * as path from "path";
import { projectFileWithConfig, readmeWithConfigTables } from "./configDocs";
import { PROVIDER_KEYS_MODULE, syncProviderKeysModule } from "./providerConfigKeys";

const root = path.resolve(__dirname, "..");

const pulumiYaml = path.join(root, "Pulumi.yaml");
fs.writeFileSync(pulumiYaml, projectFileWithConfig(fs.readFileSync(pulumiYaml, "utf8")));
const readmePath = path.join(root, "README.md");
fs.writeFileSync(readmePath, readmeWithConfigTables(fs.readFileSync(readmePath, "utf8")));
process.stdout.write("Pulumi.yaml and README.md now match components/config/schema.ts\n");
if (syncProviderKeysModule(root, new Date().toISOString().slice(0, 10))) {
    process.stdout.write(`${PROVIDER_KEYS_MODULE} now matches the installed provider SDKs\n`);
}
