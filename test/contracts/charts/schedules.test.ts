/**
 * Chart contract for scheduled launch plans, both charts: rendered by the REAL upstream charts with the values the
 * program declares, Flyte's native scheduler runs, with the database and identity it needs, and cannot be skipped
 * without the release failing:
 *
 * - flyteadmin registers a launch plan's schedule with the native scheduler: its `scheduler.eventScheduler.scheme`
 *   is `local` (flyteadmin/pkg/runtime/application_config_provider.go:39-44, pkg/async/schedule/factory.go:85-88 at
 *   v1.16.8; any other scheme but `aws` is a no-op that drops schedules, factory.go:89-93);
 * - flyte-binary runs the scheduler in its one process unless `flyte.admin.disableScheduler` (cmd/single/start.go
 *   :87-92); a scheduler that fails to start ends the process (flyteadmin/scheduler/start.go:36-48: logger.Fatal),
 *   so the pod never becomes ready;
 * - flyte-core runs it as the `flytescheduler` Deployment (one replica), which the chart renders only for
 *   `workflow_scheduler.enabled` with type `native`; it reads the database flyteadmin writes the schedules to,
 *   with the password from the program's Secret, calls flyteadmin's Service, and waits for flyteadmin first
 *   (`flytescheduler precheck`);
 * - the release is atomic and waits (no skipAwait): Helm counts a Deployment ready only when its pods are, so a
 *   crash-looping scheduler fails and rolls back the release.
 *
 * Why not the cloud's schedulers (CloudWatch Events, Cloud Scheduler): flyteadmin's `aws` scheme needs a
 * CloudWatch rule per schedule and an SQS queue its workflow executor polls, on AWS only; the native scheduler
 * works the same on every target, from the database Flyte already has. (Calling flyteadmin with sign-in, as the
 * internal client: test/contracts/charts/auth.test.ts.)
 */
import type { Plan } from "../../../lib/plan/runPlan";
import { mountedSecretFile, endpointAuthority } from "../../helpers/auth";
import { type Flavor, type RenderedFlyte as Rendered, renderFlyte } from "../../helpers/chartRender";
import { annotationsOf, commandLine, configDirectory, containerNamed, flyteDeployment } from "../../helpers/flyte";
import { findDoc, findDocs, K8sObject, selects } from "../../helpers/helm";
import { only } from "../../helpers/plan";
import { arrayAt, at, isRecord, JsonRecord, stringAt, stringMapAt } from "../../helpers/json";

const NAMESPACE = "flyte";
const DB_PASSWORD = "not-a-real-db-password-for-schedules-1729";
const RELEASE = "kubernetes:helm.sh/v3:Release";
/** The identity the fake platform gives a workload (test/helpers/chartRender.ts). */
const identity = (key: string) => `flyte-${key}@acme-test.iam.gserviceaccount.com`;

function render(flavor: Flavor): Promise<Rendered> {
    return renderFlyte(flavor, { dbPassword: DB_PASSWORD, namespace: NAMESPACE, what: "schedules" });
}

/** The configuration a container loads. */
function loaded(r: Rendered, workload: K8sObject, container: JsonRecord): JsonRecord {
    return configDirectory(r.docs, workload, container, NAMESPACE).merged;
}

/** flyteadmin registers schedules with the native scheduler (see the top of this file). */
function expectNativeEventScheduler(adminConfig: JsonRecord): void {
    expect(at(adminConfig, "scheduler", "eventScheduler", "scheme") ?? "local").toBe("local");
}

/** Helm fails the release on a scheduler that does not become ready, and rolls it back. */
function expectAtomicWaitingRelease(plan: Plan): void {
    const release = only(plan, RELEASE);
    expect(release.inputs).toMatchObject({ atomic: true, cleanupOnFail: true });
    expect(release.inputs.skipAwait ?? false).toBe(false);
    expect(Number(release.inputs.timeout)).toBeGreaterThan(0);
}

describe("flyte-binary: the scheduler in Flyte's one process", () => {
    let r: Rendered;
    beforeAll(async () => {
        r = await render("binary");
    }, 10 * 60 * 1000);

    test("the process starts it: flyte.admin.disableScheduler is off, and flyteadmin registers schedules with it", () => {
        const deployment = flyteDeployment(r.chartDocs);
        const container = containerNamed(deployment, "flyte");
        const config = loaded(r, deployment, container);
        expect(commandLine(container).slice(0, 1)).toEqual(["start"]);
        expect(at(config, "flyte", "admin", "disabled") ?? false).toBe(false);
        expect(at(config, "flyte", "admin", "disableScheduler") ?? false).toBe(false);
        expectNativeEventScheduler(config);
        // Its database is flyteadmin's, and it calls flyteadmin in the pod.
        expect(at(config, "database", "postgres", "host") ?? at(config, "database", "host")).toBe("10.9.8.7");
        expect(at(config, "admin", "endpoint")).toBe("localhost:8089");
    });

    test("a scheduler that cannot start keeps the pod from becoming ready, which fails the release", () => {
        const deployment = flyteDeployment(r.chartDocs);
        expect(at(deployment, "spec", "replicas")).toBe(1);
        expect(at(containerNamed(deployment, "flyte"), "readinessProbe", "httpGet", "path")).toBe("/healthcheck");
        expectAtomicWaitingRelease(r.plan);
    });
});

describe("flyte-core: the flytescheduler Deployment", () => {
    let r: Rendered;
    beforeAll(async () => {
        r = await render("core");
    }, 10 * 60 * 1000);

    const scheduler = () => findDoc(r.chartDocs, "Deployment", "flytescheduler", NAMESPACE);

    test("the chart renders it: one replica running `flytescheduler run`, after `flytescheduler precheck` found flyteadmin", () => {
        expect(at(scheduler(), "spec", "replicas")).toBe(1);
        // Default rolling update: 25% of one pod rounds down to none unavailable, so Helm waits for the pod.
        expect(at(scheduler(), "spec", "strategy")).toBeUndefined();
        const container = containerNamed(scheduler(), "flytescheduler");
        expect(commandLine(container).slice(0, 2)).toEqual(["flytescheduler", "run"]);
        expect(commandLine(containerNamed(scheduler(), "flytescheduler-check")).slice(0, 2)).toEqual(["flytescheduler", "precheck"]);
        // The chart writes the aws scheduler's config only for type aws.
        const base = findDoc(r.chartDocs, "ConfigMap", "flyte-admin-base-config", NAMESPACE);
        expect(Object.keys(stringMapAt(base, "data"))).not.toContain("scheduler.yaml");
    });

    test("flyteadmin registers schedules with it", () => {
        const admin = findDoc(r.chartDocs, "Deployment", "flyteadmin", NAMESPACE);
        expectNativeEventScheduler(loaded(r, admin, containerNamed(admin, "flyteadmin")));
    });

    test("it reads flyteadmin's database, with the password from the program's Secret", () => {
        for (const name of ["flytescheduler", "flytescheduler-check"]) {
            const container = containerNamed(scheduler(), name);
            const config = loaded(r, scheduler(), container);
            expect([name, at(config, "database", "host"), at(config, "database", "dbname")]).toEqual([name, "10.9.8.7", "flytedb"]);
            const admin = findDoc(r.chartDocs, "Deployment", "flyteadmin", NAMESPACE);
            expect(at(config, "database")).toEqual(at(loaded(r, admin, containerNamed(admin, "flyteadmin")), "database"));
            const password = mountedSecretFile(r.docs, scheduler(), container, stringAt(config, "database", "passwordPath"), NAMESPACE);
            expect(password.content).toBe(DB_PASSWORD);
        }
    });

    test("it calls flyteadmin's gRPC port through its Service", () => {
        const config = loaded(r, scheduler(), containerNamed(scheduler(), "flytescheduler"));
        const [host, port] = endpointAuthority(stringAt(config, "admin", "endpoint")).split(":");
        const service = findDoc(r.chartDocs, "Service", host, NAMESPACE);
        const grpc = arrayAt(service, "spec", "ports").find((p) => at(p, "port") === Number(port));
        expect(isRecord(grpc)).toBe(true);
        const admin = findDoc(r.chartDocs, "Deployment", "flyteadmin", NAMESPACE);
        expect(selects(stringMapAt(service, "spec", "selector"), stringMapAt(admin, "spec", "template", "metadata", "labels"))).toBe(true);
    });

    test("it runs under its own service account and identity, restricted like the other components, restarted with the secrets", () => {
        const account = stringAt(scheduler(), "spec", "template", "spec", "serviceAccountName");
        const serviceAccount = findDocs(r.chartDocs, "ServiceAccount").find((s) => s.metadata.name === account);
        expect(annotationsOf(serviceAccount)["iam.gke.io/gcp-service-account"]).toBe(identity("flytescheduler"));
        expect(at(scheduler(), "spec", "template", "spec", "securityContext")).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
        expect(annotationsOf(at(scheduler(), "spec", "template"))["checksum/pulumi-secrets"]).toMatch(/^[0-9a-f]{64}$/);
    });

    test("a scheduler that cannot start fails the release, which rolls back", () => {
        expectAtomicWaitingRelease(r.plan);
    });
});
