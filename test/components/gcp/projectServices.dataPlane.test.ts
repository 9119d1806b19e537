import { DATA_PLANE_SERVICES, ProjectServices, REQUIRED_SERVICES } from "../../../components/gcp/projectServices";
import { runComponents } from "../../helpers/components";
import { ofType } from "../../helpers/plan";

test("a data plane enables the required APIs it calls: not Cloud SQL's, not service networking's", async () => {
    const plan = await runComponents(() => {
        const apis = new ProjectServices("apis", { project: "acme-test", required: DATA_PLANE_SERVICES });
        return { services: Object.keys(apis.services) };
    });
    const services = ofType(plan, "gcp:projects/service:Service").map((s) => String(s.inputs.service));
    expect(services.sort()).toEqual(DATA_PLANE_SERVICES.map((key) => REQUIRED_SERVICES[key]).sort());
    expect(services).not.toContain("sqladmin.googleapis.com");
    expect(services).not.toContain("servicenetworking.googleapis.com");
    expect(plan.outputs.services).toEqual([...DATA_PLANE_SERVICES]);
    for (const s of ofType(plan, "gcp:projects/service:Service")) {
        expect(s.inputs).toMatchObject({ project: "acme-test", disableOnDestroy: false, disableDependentServices: false });
    }
});

test("in REQUIRED_SERVICES' order, each once, whatever the order asked for", async () => {
    const plan = await runComponents(() => {
        new ProjectServices("apis", { project: "acme-test", required: ["storage", "compute", "storage"] });
        return {};
    });
    expect(ofType(plan, "gcp:projects/service:Service").map((s) => s.name)).toEqual(["apis-compute", "apis-storage"]);
});
