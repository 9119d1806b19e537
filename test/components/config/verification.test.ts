import { CONFIG_KEYS, VERIFICATION_IMAGE } from "../../../components/config/schema";
import { parseStackConfig } from "../../../components/config/parse";
import { AWS, configError, CONTEXT, parse, raw, VERIFICATION_DEFAULT } from "../../helpers/config";

/** The verification a config parses to, on any target. */
const verification = (overrides: Record<string, string>) => parseStackConfig(raw(overrides), CONTEXT).verification;

describe("verification", () => {
    test("auto is on for gcp and aws, with the pinned image", () => {
        expect(parse(raw()).verification).toEqual({ image: VERIFICATION_IMAGE });
        expect(verification({ ...AWS })).toEqual({ image: VERIFICATION_IMAGE });
        expect(VERIFICATION_DEFAULT.image).toBe(VERIFICATION_IMAGE);
    });

    test("auto is off on local; on turns it on there", () => {
        expect(verification({ "flyte:cloud": "local" })).toBeUndefined();
        expect(verification({ "flyte:cloud": "local", "flyte:verification": "on" })).toEqual({ image: VERIFICATION_IMAGE });
    });

    test("off turns it off on the clouds", () => {
        expect(parse(raw({ "flyte:verification": "off" })).verification).toBeUndefined();
        expect(verification({ ...AWS, "flyte:verification": "off" })).toBeUndefined();
    });

    test("the default image is pinned by digest and the key takes another pinned image", () => {
        expect(CONFIG_KEYS.verificationImage.default).toMatch(/^docker\.io\/library\/node:24-alpine@sha256:[a-f0-9]{64}$/);
        const image = `registry.example.com/tools/node@sha256:${"b".repeat(64)}`;
        expect(parse(raw({ "flyte:verificationImage": image })).verification).toEqual({ image });
    });

    test.each([
        ["a tag only", "docker.io/library/node:24-alpine"],
        ["a short digest", "node@sha256:abc"],
        ["an uppercase digest", `node@sha256:${"A".repeat(64)}`],
    ])("verificationImage with %s is refused", (_name, image) => {
        expect(configError(raw({ "flyte:verificationImage": image })).message).toBe(
            `invalid config flyte:verificationImage = ${JSON.stringify(image)}: allowed: an image reference pinned by digest (…@sha256:<64 hex digits>) with Node.js 24 or later, such as ${VERIFICATION_IMAGE}`,
        );
    });

    test("an unknown mode is refused with the allowed ones", () => {
        expect(configError(raw({ "flyte:verification": "yes" })).message).toBe('invalid config flyte:verification = "yes": allowed: auto, on, off');
    });

    test("verificationImage without verification is refused", () => {
        const image = `node@sha256:${"c".repeat(64)}`;
        expect(configError(raw({ "flyte:verification": "off", "flyte:verificationImage": image })).message).toContain("flyte:verificationImage");
        expect(configError(raw({ "flyte:verification": "off", "flyte:verificationImage": image })).message).toContain("only with verification on");
        expect(configError(raw({ "flyte:cloud": "local", "flyte:verificationImage": image })).message).toContain("only with verification: on (auto is off on local)");
    });
});
