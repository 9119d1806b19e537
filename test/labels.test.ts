import { createHash } from "crypto";
import { gcpLabels, gcpLabelValue } from "../components/gcp/labels";
import { kubernetesLabels, kubernetesLabelValue } from "../components/shared/labels";
import { prng } from "./helpers/random";

const GCP_VALUE = /^[a-z0-9_-]{0,63}$/;
const K8S_VALUE = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

function isK8sValue(value: string): boolean {
    return value === "" || K8S_VALUE.test(value);
}

function sha6(text: string): string {
    return createHash("sha256").update(text).digest("hex").slice(0, 6);
}


const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-";
const rand = prng(42);
const SAMPLE = Array.from({ length: 400 }, () => {
    const length = 1 + Math.floor(rand() * 100);
    return Array.from({ length }, () => ALPHABET[Math.floor(rand() * ALPHABET.length)]).join("");
});

/** Valid Pulumi project and stack names ([A-Za-z0-9_.-]{1,100}) at the edges. */
const EDGES = [
    "a",
    "Z",
    "0",
    "_",
    ".",
    "-",
    "...",
    "___",
    "dev",
    "Dev",
    "DEV",
    "prod-eu-1",
    "a_b",
    "a.b",
    "_dev",
    "dev_",
    ".dev",
    "dev.",
    "-dev",
    "dev-",
    "x".repeat(63),
    "x".repeat(64),
    "X".repeat(63),
    "y".repeat(100),
    `${"a".repeat(56)}.......`,
    `${"a".repeat(55)}_-_-_-_-_`,
    "9".repeat(100),
    `_${"Q".repeat(98)}_`,
];

const INPUTS = [...EDGES, ...SAMPLE];

describe("gcpLabelValue", () => {
    test("keeps leading and trailing '_' and '-', which GCP allows, so dev, dev_ and _dev_ stay distinct", () => {
        expect(["dev", "dev_", "_dev_", "-dev"].map(gcpLabelValue)).toEqual(["dev", "dev_", "_dev_", "-dev"]);
    });

    test("always yields a valid GCP label value", () => {
        expect(INPUTS.filter((v) => !GCP_VALUE.test(gcpLabelValue(v)))).toEqual([]);
    });

    test.each(["dev", "prod-eu-1", "a_b", "flyte", "0", "x".repeat(63)])("keeps the valid %s as it is", (value) => {
        expect(gcpLabelValue(value)).toBe(value);
    });

    test("lowercases with a hash of the original, so Dev and dev differ", () => {
        expect(gcpLabelValue("Dev")).toBe(`dev-${sha6("Dev")}`);
        expect(gcpLabelValue("dev")).toBe("dev");
        expect(gcpLabelValue("Dev")).not.toBe(gcpLabelValue("DEV"));
    });

    test("replaces characters GCP rejects", () => {
        expect(gcpLabelValue("a.b")).toBe(`a-b-${sha6("a.b")}`);
    });

    test("cuts long values to 63 with a hash", () => {
        const long = "y".repeat(100);
        expect(gcpLabelValue(long)).toBe(`${"y".repeat(56)}-${sha6(long)}`);
        expect(gcpLabelValue(long)).toHaveLength(63);
        expect(gcpLabelValue("y".repeat(64))).not.toBe(gcpLabelValue("y".repeat(65)));
    });

    test("distinct alphanumeric-edged inputs give distinct values", () => {
        const edged = [...new Set(INPUTS.filter((v) => /^[A-Za-z0-9](.*[A-Za-z0-9])?$/.test(v)))];
        expect(new Set(edged.map(gcpLabelValue)).size).toBe(edged.length);
    });
});

describe("kubernetesLabelValue", () => {
    test("always yields a valid Kubernetes label value", () => {
        expect(INPUTS.filter((v) => !isK8sValue(kubernetesLabelValue(v)))).toEqual([]);
    });

    test.each(["dev", "Dev", "DEV", "my.stack", "a_b", "Prod-1", "0", "X".repeat(63)])(
        "keeps the valid %s as it is",
        (value) => {
            expect(kubernetesLabelValue(value)).toBe(value);
        },
    );

    test("Dev and dev differ", () => {
        expect(kubernetesLabelValue("Dev")).not.toBe(kubernetesLabelValue("dev"));
    });

    test("cuts long values to 63 with a hash", () => {
        const long = "Y".repeat(100);
        expect(kubernetesLabelValue(long)).toBe(`${"Y".repeat(56)}-${sha6(long)}`);
        expect(kubernetesLabelValue("Y".repeat(64))).not.toBe(kubernetesLabelValue("Y".repeat(65)));
    });

    test("never starts or ends with punctuation, even after a cut", () => {
        const dotted = `${"a".repeat(55)}.........`;
        const value = kubernetesLabelValue(dotted);
        expect(value).toBe(`${"a".repeat(55)}-${sha6(dotted)}`);
        expect(value.length).toBeLessThanOrEqual(63);
    });

    test("values that differ only in leading or trailing punctuation stay distinct", () => {
        const inputs = ["a", "a_", "_a", ".a", "-a", "dev", "dev_", "_dev_", ".", "...", "_"];
        const values = inputs.map(kubernetesLabelValue);
        expect(new Set(values).size).toBe(inputs.length);
        expect(kubernetesLabelValue("a")).toBe("a");
        expect(kubernetesLabelValue("dev_")).toBe(`dev-${sha6("dev_")}`);
        expect(kubernetesLabelValue("...")).toBe(sha6("..."));
    });

    test("distinct alphanumeric-edged inputs give distinct values", () => {
        const edged = [...new Set(INPUTS.filter((v) => /^[A-Za-z0-9](.*[A-Za-z0-9])?$/.test(v)))];
        expect(new Set(edged.map(kubernetesLabelValue)).size).toBe(edged.length);
    });
});

describe("label sets", () => {
    test("kubernetesLabels never sets app.kubernetes.io/managed-by (Helm owns it)", () => {
        for (const stack of INPUTS.slice(0, 60)) {
            const labels = kubernetesLabels({ pulumiProject: "flyte", stack });
            expect(Object.keys(labels)).not.toContain("app.kubernetes.io/managed-by");
            expect(Object.keys(labels).sort()).toEqual(["app.kubernetes.io/part-of", "pulumi.com/project", "pulumi.com/stack"]);
        }
        expect(kubernetesLabels({ pulumiProject: "flyte", stack: "Dev" })).toEqual({
            "app.kubernetes.io/part-of": "flyte",
            "pulumi.com/project": "flyte",
            "pulumi.com/stack": "Dev",
        });
    });

    test("gcpLabels carry normalised project and stack", () => {
        expect(gcpLabels({ pulumiProject: "flyte", stack: "prod" })).toEqual({
            "managed-by": "pulumi",
            app: "flyte",
            "pulumi-project": "flyte",
            "pulumi-stack": "prod",
        });
        const labels = gcpLabels({ pulumiProject: "My.Flyte", stack: "x".repeat(100) });
        for (const value of Object.values(labels)) {
            expect(value).toMatch(GCP_VALUE);
        }
    });
});
