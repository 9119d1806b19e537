import { ConfigReader } from "./reader";
import type { Cloud, VerificationConfig } from "../contract/config";

/** Where `flyte:verification: auto` verifies: the clouds; a local cluster only when asked. */
const VERIFIED_BY_DEFAULT: readonly Cloud[] = ["gcp", "aws"];

/** The verification after each `pulumi up`; undefined when off (`off`, or `auto` on local). */
export function parseVerification(config: ConfigReader, cloud: Cloud): VerificationConfig | undefined {
    const mode = config.oneOf("verification");
    const on = mode === "on" || (mode === "auto" && VERIFIED_BY_DEFAULT.includes(cloud));
    if (!on) {
        config.refuseSetKeys(["verificationImage"], mode === "off" ? "verification on" : "verification: on (auto is off on local)");
        return undefined;
    }
    return { image: config.string("verificationImage") };
}
