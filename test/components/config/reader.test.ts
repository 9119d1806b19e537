import { ConfigError } from "../../../components/config/errors";
import { checkEncryptedKeys } from "../../../components/config/keys";
import { parseStackConfig } from "../../../components/config/parse";
import { ConfigReader } from "../../../components/config/reader";
import { OFFLINE_SECRET_PLACEHOLDER } from "../../../components/shared/offlinePlan";
import { configError, CONTEXT, expectOneLine, KEYS, MINIMAL, TEST_SCHEMA } from "../../helpers/config";

/**
 * Encrypted values (`pulumi config set --secret`): which keys may hold them (checkEncryptedKeys,
 * components/config/keys.ts) and how ConfigReader (components/config/reader.ts) reads a secret key.
 */

describe("encrypted values (pulumi config set --secret)", () => {
    const NOT_SECRET: readonly (readonly [string, Record<string, string>])[] = [
        ["flyte:gkeMachineType", MINIMAL.gcp],
        ["flyte:cloud", MINIMAL.gcp],
        ["flyte:flyteProjects", MINIMAL.local],
        ["flyte:databaseBackupRetentionDays", MINIMAL.aws],
        ["gcp:project", MINIMAL.gcp],
        ["gcp:region", MINIMAL.gcp],
        ["aws:region", MINIMAL.aws],
    ];

    test.each(NOT_SECRET)("%s is not a secret key: set it in plain text", (key, base) => {
        for (const value of [OFFLINE_SECRET_PLACEHOLDER, "plain-after-decryption"]) {
            const err = configError({ ...base, [key]: value }, { ...CONTEXT, secretKeys: [key] });
            expectOneLine(err, key);
            expect(err.message).toBe(`invalid config ${key} = (encrypted): not a secret key: set it in plain text with \`pulumi config set ${key} <value>\` (without --secret)`);
        }
    });

    test("the providers' secret keys and other namespaces' keys may be encrypted", () => {
        const secretKeys = ["gcp:credentials", "gcp:accessToken", "kubernetes:kubeconfig"];
        const raw = { ...MINIMAL.gcp, ...Object.fromEntries(secretKeys.map((k) => [k, OFFLINE_SECRET_PLACEHOLDER])) };
        expect(parseStackConfig(raw, { ...CONTEXT, secretKeys }).cloud).toBe("gcp");
        const aws = { ...MINIMAL.aws, "aws:accessKey": OFFLINE_SECRET_PLACEHOLDER, "aws:secretKey": OFFLINE_SECRET_PLACEHOLDER };
        expect(parseStackConfig(aws, { ...CONTEXT, secretKeys: ["aws:accessKey", "aws:secretKey"] }).cloud).toBe("aws");
    });

    test("a key declared secret accepts an encrypted value; any other key of the schema does not", () => {
        expect(() => checkEncryptedKeys(["t:apiToken"], "t", TEST_SCHEMA)).not.toThrow();
        expect(() => checkEncryptedKeys(["t:endpoint"], "t", TEST_SCHEMA)).toThrow(
            "invalid config t:endpoint = (encrypted): not a secret key: set it in plain text with `pulumi config set t:endpoint <value>` (without --secret)",
        );
    });

    test("offline, a secret key's encrypted value is the placeholder, passed on unchecked", () => {
        const reader = new ConfigReader({ "t:apiToken": OFFLINE_SECRET_PLACEHOLDER }, "t", TEST_SCHEMA, ["t:apiToken"]);
        expect(reader.secret("apiToken")).toBe(OFFLINE_SECRET_PLACEHOLDER);
    });

    test("in a real run the decrypted value is checked, and never shown", () => {
        const ok = new ConfigReader({ "t:apiToken": "tok-abc123" }, "t", TEST_SCHEMA, ["t:apiToken"]);
        expect(ok.secret("apiToken")).toBe("tok-abc123");
        for (const secretKeys of [["t:apiToken"], []]) {
            const bad = new ConfigReader({ "t:apiToken": "hunter2" }, "t", TEST_SCHEMA, secretKeys);
            let err: unknown;
            try {
                bad.secret("apiToken");
            } catch (e) {
                err = e;
            }
            expect(err).toBeInstanceOf(ConfigError);
            expect((err as ConfigError).message).toBe("invalid config t:apiToken = (secret): allowed: a token tok-…");
        }
        // The placeholder is only passed on for a value that is encrypted.
        const plain = new ConfigReader({ "t:apiToken": OFFLINE_SECRET_PLACEHOLDER }, "t", TEST_SCHEMA);
        expect(() => plain.secret("apiToken")).toThrow(ConfigError);
    });

    test("reading a key not declared secret as a secret is a programming error", () => {
        const reader = new ConfigReader({ "t:endpoint": "x" }, "t", TEST_SCHEMA);
        expect(() => reader.secret("endpoint")).toThrow("endpoint is not declared secret");
    });

    test("reading a secret key as plain text is a programming error: its value could end up in a message", () => {
        const reader = new ConfigReader({ "t:apiToken": "hunter2" }, "t", TEST_SCHEMA);
        expect(() => reader.string("apiToken")).toThrow("apiToken is declared secret: read it with secret()");
        expect(reader.string("endpoint")).toBe("");
    });

    test("the secret keys of the contract are the credentials: the OIDC client's secret, the SendGrid key, the SMTP password", () => {
        expect(KEYS.filter(([, spec]) => spec.secret === true).map(([key]) => key)).toEqual(["oidcClientSecret", "sendgridApiKey", "smtpPassword"]);
    });

    test("offline, an encrypted oidcClientSecret parses to the placeholder, which the plan shows as a secret", () => {
        const raw = {
            ...MINIMAL.gcp,
            "flyte:dnsName": "flyte.example.com",
            "flyte:authentication": "oidc",
            "flyte:oidcIssuerUrl": "https://accounts.google.com",
            "flyte:oidcClientId": "1234.apps.googleusercontent.com",
            "flyte:oidcClientSecret": OFFLINE_SECRET_PLACEHOLDER,
        };
        const config = parseStackConfig(raw, { ...CONTEXT, secretKeys: ["flyte:oidcClientSecret"] });
        expect(config.authentication).toMatchObject({ mode: "oidc", clientSecret: OFFLINE_SECRET_PLACEHOLDER });
    });
});
