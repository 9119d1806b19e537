import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../../../components/config/errors";
import { RecordingMonitor } from "../../../lib/plan/monitor";
import { PlanError, runProgram } from "../../../lib/plan/runPlan";
import { rawGcpConfig } from "../../helpers/config";

test("two resources with the same URN fail the plan, as the engine fails the preview", async () => {
    await expect(
        runProgram({
            project: "flyte",
            stack: "dup",
            config: {},
            program: () => {
                new gcp.storage.Bucket("same", { location: "EU" });
                new gcp.storage.Bucket("same", { location: "US" });
                return {};
            },
        }),
    ).rejects.toThrow(new PlanError("duplicate resource URN: urn:pulumi:dup::flyte::gcp:storage/bucket:Bucket::same"));
});

test("URNs carry the parent type chain, as the engine's do", async () => {
    class Outer extends pulumi.ComponentResource {
        constructor(name: string) {
            super("test:index:Outer", name);
            const inner = new pulumi.ComponentResource("test:index:Inner", `${name}-inner`, {}, { parent: this });
            new gcp.storage.Bucket(`${name}-bucket`, { location: "EU" }, { parent: inner });
        }
    }
    const plan = await runProgram({
        project: "flyte",
        stack: "urn",
        config: {},
        program: () => {
            new Outer("o");
            return {};
        },
    });
    expect(plan.resources.map((r) => r.urn)).toEqual([
        "urn:pulumi:urn::flyte::pulumi:pulumi:Stack::flyte-urn",
        "urn:pulumi:urn::flyte::test:index:Outer::o",
        "urn:pulumi:urn::flyte::test:index:Outer$test:index:Inner::o-inner",
        "urn:pulumi:urn::flyte::test:index:Outer$test:index:Inner$gcp:storage/bucket:Bucket::o-bucket",
    ]);
});

test("invalid config stops the real program before it declares any resource", async () => {
    const monitor = new RecordingMonitor("flyte", "bad");
    const failing = runProgram({
        project: "flyte",
        stack: "bad",
        config: rawGcpConfig({ "flyte:flyteDomains": JSON.stringify(["development", "Staging"]) }),
        monitor,
        program: () => require("../../.."),
    });
    await expect(failing).rejects.toBeInstanceOf(ConfigError);
    await expect(failing).rejects.toThrow('invalid config flyte:flyteDomains = "Staging"');
    await pulumi.runtime.disconnect();
    const declared = [...monitor.resources.values()].filter((r) => r.type !== "pulumi:pulumi:Stack");
    expect(declared).toEqual([]);
});
