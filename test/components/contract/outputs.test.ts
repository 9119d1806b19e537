/**
 * The pure parts of the outputs contract (components/contract/outputs.ts); the contract itself, against every
 * shipped stack and README, is test/contracts/outputs.test.ts.
 */
import * as pulumi from "@pulumi/pulumi";
import { ALL_OUTPUTS, executionEventsTopic, zoneFileLines } from "../../../components/contract/outputs";

function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply(resolve));
}

test("zoneFileLines: one line per value, name, type and value as a zone file writes them", () => {
    expect(
        zoneFileLines([
            { name: "_acme-challenge.flyte.example.com.", type: "CNAME", values: ["abc.authorize.certificatemanager.goog."], purpose: "certificate validation" },
            { name: "flyte.example.com.", type: "A", values: ["10.0.0.5", "10.0.0.6"], purpose: "address" },
        ]),
    ).toEqual(["_acme-challenge.flyte.example.com. CNAME abc.authorize.certificatemanager.goog.", "flyte.example.com. A 10.0.0.5", "flyte.example.com. A 10.0.0.6"]);
    expect(zoneFileLines([])).toEqual([]);
});

test("executionEventsTopic: the SNS topic's ARN, or the Pub/Sub topic's full id; nothing without events", async () => {
    const arn = "arn:aws:sns:eu-central-1:123456789012:flyte-events";
    expect(await valueOf(executionEventsTopic({ type: "aws", region: "eu-central-1", topicArn: pulumi.output(arn) }) as pulumi.Output<string>)).toBe(arn);
    expect(await valueOf(executionEventsTopic({ type: "gcp", project: "acme", topic: pulumi.output("flyte-events") }) as pulumi.Output<string>)).toBe("projects/acme/topics/flyte-events");
    expect(executionEventsTopic(undefined)).toBeUndefined();
});

test("ALL_OUTPUTS names each output once", () => {
    expect(new Set(ALL_OUTPUTS).size).toBe(ALL_OUTPUTS.length);
});
