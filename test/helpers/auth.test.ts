import { adminCall, discoveredTokenUrl, flytePublicUrl, grpcRequestUrl, httpRequestUrl } from "./auth";

/**
 * The re-implementation of flyteadmin's GetPublicURL that the chart contracts judge tokens by, held to the cases of
 * flyteadmin's own test (flyteadmin/auth/handler_utils_test.go at v1.16.8, TestGetPublicURL) and to what follows
 * from it for a component calling flyteadmin.
 */

describe("flytePublicUrl, as flyteadmin's TestGetPublicURL", () => {
    test.each([
        ["matching scheme and host", "https://abc", ["https://xyz", "https://abc"], "https://abc"],
        ["matching host and non-matching scheme", "https://abc", ["https://xyz", "http://abc"], "http://abc"],
        ["no match: the first", "https://abc", ["https://xyz", "http://xyz"], "https://xyz"],
        ["no config: the request's own", "https://abc", [], "https://abc"],
        [
            "host and port over host alone",
            "https://localhost:30081",
            ["http://flyteadmin:80", "http://localhost:30081", "http://localhost:8089", "http://localhost:8088", "http://flyteadmin.flyte.svc.cluster.local:80"],
            "http://localhost:30081",
        ],
    ])("%s", (_case, requested, authorized, expected) => {
        expect(flytePublicUrl(requested, authorized)).toBe(expected);
    });

    test("without a request URL, the first authorized URI", () => {
        expect(flytePublicUrl(undefined, ["https://a", "http://b"])).toBe("https://a");
    });
});

test("request URLs: https:// and the gRPC authority or the HTTP host, port as written", () => {
    expect(grpcRequestUrl("flyteadmin:81")).toBe("https://flyteadmin:81");
    expect(httpRequestUrl("http://flyteadmin:80/oauth2/token")).toBe("https://flyteadmin:80");
    expect(httpRequestUrl("http://localhost:8088/oauth2/token")).toBe("https://localhost:8088");
});

describe("a component calling flyteadmin with client credentials", () => {
    const uris = ["https://flyte.example.com", "http://flyteadmin:80", "http://flyteadmin.flyte.svc.cluster.local:80"];

    test("discovers an in-cluster token endpoint on an in-cluster endpoint, and the token it gets there is accepted there", () => {
        expect(discoveredTokenUrl("flyteadmin:81", uris)).toBe("http://flyteadmin:80/oauth2/token");
        expect(adminCall({ endpoint: "dns:///flyteadmin:81" }, uris)).toEqual({
            authority: "flyteadmin:81",
            tokenUrl: "http://flyteadmin:80/oauth2/token",
            issuedAudience: "http://flyteadmin:80",
            expectedAudience: "http://flyteadmin:80",
        });
    });

    test("on a host flyteadmin has no URI for, everything stands for the first URI: consistent, but through the public URL", () => {
        expect(adminCall({ endpoint: "localhost:8089" }, uris)).toMatchObject({
            tokenUrl: "https://flyte.example.com/oauth2/token",
            issuedAudience: "https://flyte.example.com",
            expectedAudience: "https://flyte.example.com",
        });
    });

    test("a configured token endpoint is used as it is, and can disagree with the endpoint's audience", () => {
        const call = adminCall({ endpoint: "flyteadmin:81", tokenUrl: "http://flyteadmin.flyte.svc.cluster.local:80/oauth2/token" }, uris);
        expect(call.issuedAudience).toBe("http://flyteadmin.flyte.svc.cluster.local:80");
        expect(call.expectedAudience).toBe("http://flyteadmin:80");
    });
});
