import { OPTIONAL_SERVICES, ProjectServices, REQUIRED_SERVICES } from "../../../components/gcp/projectServices";
import type { Plan } from "../../../lib/plan/runPlan";
import { runComponents } from "../../helpers/components";
import { ofType } from "../../helpers/plan";

let plan: Plan;
beforeAll(async () => {
    plan = await runComponents(() => {
        new ProjectServices("apis", { project: "acme-test" });
        return {};
    });
});

test("enables every API a fresh project needs for Flyte", () => {
    const services = ofType(plan, "gcp:projects/service:Service").map((s) => s.inputs.service);
    expect(services.sort()).toEqual(
        [
            "cloudresourcemanager.googleapis.com",
            "compute.googleapis.com",
            "container.googleapis.com",
            "iam.googleapis.com",
            "iamcredentials.googleapis.com",
            "logging.googleapis.com",
            "monitoring.googleapis.com",
            "servicenetworking.googleapis.com",
            "sqladmin.googleapis.com",
            "storage.googleapis.com",
        ].sort(),
    );
    expect(Object.values(REQUIRED_SERVICES).sort()).toEqual(services.sort());
});

test("leaves APIs enabled on destroy: other workloads may use them", () => {
    for (const s of ofType(plan, "gcp:projects/service:Service")) {
        expect(s.inputs).toMatchObject({ project: "acme-test", disableOnDestroy: false, disableDependentServices: false });
    }
});

test("optional APIs only when asked for, each once, like the required ones", async () => {
    const https = await runComponents(() => {
        const apis = new ProjectServices("apis", { project: "acme-test", optional: ["certificatemanager", "dns", "dns", "pubsub"] });
        return { optional: Object.keys(apis.optional).sort() };
    });
    const services = ofType(https, "gcp:projects/service:Service").map((s) => s.inputs.service);
    expect(services.sort()).toEqual(
        [...Object.values(REQUIRED_SERVICES), "certificatemanager.googleapis.com", "dns.googleapis.com", "pubsub.googleapis.com"].sort(),
    );
    expect(https.outputs.optional).toEqual(["certificatemanager", "dns", "pubsub"]);
    for (const s of ofType(https, "gcp:projects/service:Service")) {
        expect(s.inputs).toMatchObject({ project: "acme-test", disableOnDestroy: false, disableDependentServices: false });
    }
    expect(OPTIONAL_SERVICES).toEqual({
        certificatemanager: "certificatemanager.googleapis.com",
        dns: "dns.googleapis.com",
        pubsub: "pubsub.googleapis.com",
        artifactregistry: "artifactregistry.googleapis.com",
        sts: "sts.googleapis.com",
    });
    // Without any, a stack enables exactly the required APIs (above).
    expect(ofType(plan, "gcp:projects/service:Service")).toHaveLength(Object.keys(REQUIRED_SERVICES).length);
});
