import { ConfigReader } from "./reader";
import type { Cloud, VerificationConfig } from "../contract/config";
import type { ClusterRole } from "../contract/multiCluster";

/** Where `flyte:verification: auto` verifies: the clouds; a local cluster only when asked. */
const VERIFIED_BY_DEFAULT: readonly Cloud[] = ["gcp", "aws"];

/** The verification after each `pulumi up`; undefined when off (`off`, or `auto` on local). */
export function parseVerification(config: ConfigReader, cloud: Cloud, role?: ClusterRole): VerificationConfig | undefined {
    const mode = config.oneOf("verification");
    if (role !== undefined && role !== "standalone") {
        // Its checks run a task pod in the cluster Flyte's endpoint is in; a control plane may have no task namespaces.
        if (mode === "on") {
            config.fail("verification", mode, "on only for a standalone stack (clusterRole standalone); auto and off");
        }
        config.refuseSetKeys(["verificationImage"], "verification on (a standalone stack)");
        return undefined;
    }
    const on = mode === "on" || (mode === "auto" && VERIFIED_BY_DEFAULT.includes(cloud));
    if (!on) {
        config.refuseSetKeys(["verificationImage"], mode === "off" ? "verification on" : "verification: on (auto is off on local)");
        return undefined;
    }
    return { image: config.string("verificationImage") };
}
