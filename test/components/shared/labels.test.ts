import { kubernetesLabels, kubernetesLabelValue } from "../../../components/shared/labels";
import { labelInputs, sha256Prefix } from "../../helpers/names";

/** Kubernetes label values and the labels on every Kubernetes object the program creates (components/shared/labels.ts). */

const K8S_VALUE = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const INPUTS = labelInputs();
const sha6 = (text: string) => sha256Prefix(text, 6);

function isK8sValue(value: string): boolean {
    return value === "" || K8S_VALUE.test(value);
}

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

describe("kubernetesLabels", () => {
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
});
