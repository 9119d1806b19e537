/**
 * Ids that Kubernetes' YAML (1.1) reads as booleans, nulls or numbers: which the config accepts (project and domain
 * ids: every place renders them as strings, test/contracts/kubernetesSchemas.test.ts) and which it refuses (flyte-core's own
 * namespace, which that chart writes into every manifest unquoted), in one line.
 */
import { ConfigError } from "../../../components/config/errors";
import { unquotedYamlReading } from "../../../components/config/yamlScalars";
import { gcpStackConfig } from "../../helpers/config";
import { parseKubernetesYaml, YAML_NON_STRING_DNS_LABELS } from "../../helpers/kubernetesSchemas";

/** What the tests' own YAML reader (go-yaml v2's resolution, test/helpers/kubernetesSchemas.ts) makes of it. */
function readsAsString(label: string): boolean {
    const [doc] = parseKubernetesYaml(`value: ${label}\n`, label).documents;
    return typeof (doc.value as { value: unknown }).value === "string";
}

describe("unquotedYamlReading", () => {
    test.each([
        ["y", "a boolean"],
        ["no", "a boolean"],
        ["on", "a boolean"],
        ["false", "a boolean"],
        ["null", "null"],
        ["123", "a number"],
        ["0777", "a number"],
        ["0x1f", "a number"],
        ["0o17", "a number"],
        ["0b101", "a number"],
        ["1e3", "a number"],
        ["1e-3", "a number"],
    ])("%s reads as %s", (label, reading) => {
        expect(unquotedYamlReading(label)).toBe(reading);
    });

    test.each(["x", "flyte", "yes-no", "no1", "1e", "0x", "0b2", "0o8", "e3", "1-2", "2024-01-01", "103020-flytepoc-dev"])("%s reads as a string", (label) => {
        expect(unquotedYamlReading(label)).toBeUndefined();
    });

    test("agrees with go-yaml v2's resolution on every DNS label of up to two characters and on the hard cases", () => {
        const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        const short = [...alphabet].flatMap((a) => [a, ...[...`${alphabet}`].map((b) => `${a}${b}`)]);
        const hard = [...YAML_NON_STRING_DNS_LABELS, "yes", "off", "true", "0b11", "0o777", "0xdeadbeef", "12e3", "00", "1e0", "1e-0", "0x-1", "1e-", "1e--3", "0-1", "1-e3"];
        const disagreements = [...short, ...hard].filter((label) => (unquotedYamlReading(label) === undefined) !== readsAsString(label));
        expect(disagreements).toEqual([]);
    });
});

describe("config", () => {
    test.each(YAML_NON_STRING_DNS_LABELS.map((id) => [id]))("project and domain id %s is accepted in both flavors", (id) => {
        for (const flavor of ["binary", "core"]) {
            const flyte = gcpStackConfig({
                "flyte:flavor": flavor,
                "flyte:flyteProjects": JSON.stringify([id, "x"]),
                "flyte:flyteDomains": JSON.stringify([id, "dev"]),
            }).flyte;
            expect(flyte.projects).toEqual([id, "x"]);
            expect(flyte.domains).toEqual([id, "dev"]);
        }
    });

    test.each([
        ["y", "a boolean"],
        ["null", "null"],
        ["123", "a number"],
        ["1e3", "a number"],
    ])("flavor core refuses flyteNamespace %s in one line: the chart writes it unquoted and Kubernetes reads %s", (namespace, reading) => {
        let error: unknown;
        try {
            gcpStackConfig({ "flyte:flavor": "core", "flyte:flyteNamespace": namespace });
        } catch (err) {
            error = err;
        }
        expect(error).toBeInstanceOf(ConfigError);
        expect((error as ConfigError).message).toBe(
            `invalid config flyte:flyteNamespace = "${namespace}": with flavor core, the chart writes the namespace into its manifests unquoted and Kubernetes reads ${namespace} there as ${reading} (YAML 1.1), not a string; allowed: a name that is not y, yes, n, no, on, off, true, false, null or a number`,
        );
    });

    test("flavor binary, whose chart quotes its namespace, accepts such a namespace; flavor core any other", () => {
        expect(gcpStackConfig({ "flyte:flavor": "binary", "flyte:flyteNamespace": "y" }).flyte.namespace).toBe("y");
        expect(gcpStackConfig({ "flyte:flavor": "core", "flyte:flyteNamespace": "yes-flyte" }).flyte.namespace).toBe("yes-flyte");
    });
});
