import { gcpLabels, gcpLabelValue } from "../../../components/gcp/labels";
import { labelInputs, sha256Prefix } from "../../helpers/names";

/** GCP label values and the labels on everything the program creates on GCP (components/gcp/labels.ts). */

const GCP_VALUE = /^[a-z0-9_-]{0,63}$/;
const INPUTS = labelInputs();
const sha6 = (text: string) => sha256Prefix(text, 6);

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

describe("gcpLabels", () => {
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
