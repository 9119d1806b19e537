import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { FlytePlatform } from "../../components/contract/platform";
import { FlyteBinary } from "../../components/flyte/flyteBinary";
import { FlyteCore } from "../../components/flyte/flyteCore";
import type { Plan } from "../../lib/plan/runPlan";
import { programSecret } from "./auth";
import { runComponents } from "./components";
import { gcpStackConfig } from "./config";
import { InputCapture } from "./flyteCoreFixtures";
import { FLYTE_BINARY_CHART_LOCATION, FLYTE_CORE_CHART_LOCATION, K8sObject, parseManifests, releaseValues, renderChartText, resolveChart, resolveHelm } from "./helm";
import { JsonRecord, stringAt } from "./json";
import { only } from "./plan";
import { gcpLikePlatform } from "./testPlatforms";

/**
 * Flyte's components (FlyteBinary, FlyteCore) on a hand-built GCP-like platform (testPlatforms.ts), declared under
 * the plan's mocks with their Secrets' inputs captured before the plan masks them (declareFlyte), and the release
 * rendered by the real chart with `helm template` (renderFlyte): what the chart contracts of test/contracts/charts
 * and the installation's tests start from. Shipped stacks are rendered with helm.ts's renderStack instead.
 */

export type Flavor = "binary" | "core";

const SECRET = "kubernetes:core/v1:Secret";
const RELEASE = "kubernetes:helm.sh/v3:Release";
/** flyte-core's components, each with an identity of its own; flyte-binary's one process is `backend`. */
const CORE_COMPONENTS = ["flyteadmin", "flytepropeller", "datacatalog", "flytescheduler"];

/** The Google service account the platform gives a workload. */
function fakeIdentity(key: string): string {
    return `flyte-${key}@acme-test.iam.gserviceaccount.com`;
}

export interface FakePlatformFlyte {
    /** The database password the platform hands Flyte. */
    readonly dbPassword: string;
    /** What the test adds to the GCP-like platform (sign-in, messaging); the platform as it is by default. */
    readonly platform?: (platform: FlytePlatform) => FlytePlatform;
    /** Resources declared in the program before Flyte, which the platform puts among the release's dependencies. */
    readonly releaseDependencies?: () => readonly pulumi.Resource[];
    /** The program's outputs, read from the Flyte component; none by default. */
    readonly outputs?: (flyte: FlyteBinary | FlyteCore) => Record<string, unknown>;
}

export interface DeclaredFlyte {
    readonly plan: Plan;
    /** The Secrets' inputs, as the program declared them. */
    readonly capture: InputCapture;
}

/** The program declaring one Flyte flavor (project `alpha`, label team=ml) on the GCP-like platform, under the plan's mocks. */
export async function declareFlyte(flavor: Flavor, options: FakePlatformFlyte): Promise<DeclaredFlyte> {
    const capture = new InputCapture((type) => type === SECRET);
    const config = gcpStackConfig({ "flyte:flavor": flavor, "flyte:flyteProjects": JSON.stringify(["alpha"]) });
    const plan = await runComponents(() => {
        const provider = new k8s.Provider("cluster", { kubeconfig: "{}" });
        const backend = flavor === "binary" ? ["backend"] : CORE_COMPONENTS;
        const platform = gcpLikePlatform({
            provider,
            dbPassword: options.dbPassword,
            identities: Object.fromEntries([...backend, "worker"].map((key) => [key, fakeIdentity(key)])),
            taskLogs: [],
            releaseDependencies: options.releaseDependencies?.() ?? [],
        });
        const args = { flyte: config.flyte, platform: options.platform?.(platform) ?? platform, labels: { team: "ml" } };
        const opts = { transformations: [capture.transformation] };
        const flyte = flavor === "binary" ? new FlyteBinary("flyte", args, opts) : new FlyteCore("flyte", args, opts);
        return options.outputs?.(flyte) ?? {};
    });
    return { plan, capture };
}

export interface FakePlatformRender extends FakePlatformFlyte {
    /** The namespace helm renders the release into. */
    readonly namespace: string;
    /** Capabilities a cluster's discovery would report (helm's `--api-versions`); none by default. */
    readonly apiVersions?: readonly string[];
    /** What is rendered, naming the render in parse errors: `helm template (<flavor>, <what>)`. */
    readonly what: string;
}

export interface RenderedFlyte extends DeclaredFlyte {
    readonly flavor: Flavor;
    /** The release's values as the plan records them. */
    readonly values: JsonRecord;
    /** What `helm template` printed. */
    readonly text: string;
    /** The chart's objects. */
    readonly chartDocs: K8sObject[];
    /** The Secrets the program creates, as declared (contents captured before the plan masks them). */
    readonly programSecrets: K8sObject[];
    /** Both: what the cluster holds once the release is installed. */
    readonly docs: K8sObject[];
}

/**
 * declareFlyte, then the plan's release rendered by its pinned chart with the plan's values. helm and the chart are
 * looked up first, so that a missing one fails at once rather than after the plan.
 */
export async function renderFlyte(flavor: Flavor, options: FakePlatformRender): Promise<RenderedFlyte> {
    const helm = resolveHelm();
    const chart = resolveChart(flavor === "binary" ? FLYTE_BINARY_CHART_LOCATION : FLYTE_CORE_CHART_LOCATION);
    const { plan, capture } = await declareFlyte(flavor, options);
    const release = only(plan, RELEASE);
    const values = releaseValues(release);
    const releaseName = stringAt(release.inputs, "name");
    const text = renderChartText({ chart, helm, releaseName, namespace: options.namespace, values, apiVersions: options.apiVersions });
    const chartDocs = parseManifests(text, `helm template (${flavor}, ${options.what})`);
    const programSecrets = await Promise.all(plan.resources.filter((r) => r.type === SECRET).map(async (r) => programSecret(await capture.inputs(SECRET, r.name))));
    return { flavor, plan, capture, values, text, chartDocs, programSecrets, docs: [...chartDocs, ...programSecrets] };
}
