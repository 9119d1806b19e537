import { awsTags } from "../../../components/aws/tags";
import { EDGE_COMBOS } from "../../helpers/names";

/** The tags on everything the program creates on AWS (components/aws/tags.ts). */

/** AWS tag values: up to 256 Unicode letters, digits, spaces and _.:/=+-@. */
const AWS_TAG_VALUE = /^[\p{L}\p{N}\s_.:/=+\-@]{0,256}$/u;

describe("awsTags", () => {
    test("who made it and for which project and stack, the names as they are", () => {
        expect(awsTags({ pulumiProject: "flyte", stack: "Dev.eu_1" })).toEqual({
            ManagedBy: "pulumi",
            App: "flyte",
            PulumiProject: "flyte",
            PulumiStack: "Dev.eu_1",
        });
    });

    test("every valid Pulumi project and stack name is a valid tag value", () => {
        const bad = EDGE_COMBOS.flatMap((c) => Object.values(awsTags(c)).filter((v) => !AWS_TAG_VALUE.test(v)));
        expect(bad).toEqual([]);
    });
});
