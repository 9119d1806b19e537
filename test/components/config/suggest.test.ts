import { closest, didYouMean, editDistance, maxSuggestionDistance } from "../../../components/config/suggest";

describe("editDistance", () => {
    test.each([
        ["", "", 0],
        ["abc", "abc", 0],
        ["gkeMachinType", "gkeMachineType", 1],
        ["projet", "project", 1],
        ["eksMinNdoes", "eksMinNodes", 1],
        ["GKEMACHINETYPE", "gkeMachineType", 0],
        ["kitten", "sitting", 3],
        ["", "abc", 3],
    ])("%j to %j is %i", (a, b, distance) => {
        expect(editDistance(a, b)).toBe(distance);
        expect(editDistance(b, a)).toBe(distance);
    });
});

describe("closest", () => {
    const known = ["project", "region", "zone", "credentials"];

    test("the nearest name within the allowed distance", () => {
        expect(closest("projet", known)).toEqual(["project"]);
        expect(closest("Region", known)).toEqual(["region"]);
    });

    test("ties are offered together, at most two, in the order given", () => {
        expect(closest("eu-central-9", ["eu-central-1", "eu-central-2", "eu-west-1"])).toEqual(["eu-central-1", "eu-central-2"]);
        expect(closest("a-9", ["a-1", "a-2", "a-3"], 1)).toEqual(["a-1", "a-2"]);
    });

    test("nothing when even the nearest is too far", () => {
        expect(closest("toString", known)).toEqual([]);
        expect(closest("zon", ["zone"], 0)).toEqual([]);
    });

    test("longer names allow more edits", () => {
        expect(maxSuggestionDistance("zone")).toBe(1);
        expect(maxSuggestionDistance("project")).toBe(2);
        expect(maxSuggestionDistance("gkeMachineType")).toBe(3);
    });
});

test("didYouMean", () => {
    expect(didYouMean([])).toBe("");
    expect(didYouMean(["gcp:project"])).toBe("did you mean gcp:project?");
    expect(didYouMean(["gcp:region", "aws:region"])).toBe("did you mean gcp:region or aws:region?");
});
