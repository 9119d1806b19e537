import { parse as parseYaml } from "yaml";
import { flyteEndpoints, flytectlConfig } from "../../../components/flyte/endpoints";
import { at } from "../../helpers/json";

/** Flyte's endpoints from the address it is reached at, and the flytectl config for them (components/flyte/endpoints.ts). */

describe("flyteEndpoints and flytectlConfig", () => {
    test("endpoints from the load balancer's address", () => {
        const endpoints = flyteEndpoints("10.0.0.20");
        expect(endpoints.grpcEndpoint).toBe("10.0.0.20:8089");
        expect(endpoints.httpEndpoint).toBe("http://10.0.0.20:8088");
        expect(endpoints.consoleUrl).toBe("http://10.0.0.20:8088/console");
        expect(endpoints.flytectlConfig).toBe(flytectlConfig("10.0.0.20:8089"));
    });

    test("the flytectl config is YAML with a plaintext dns:/// gRPC endpoint", () => {
        const doc: unknown = parseYaml(flyteEndpoints("flyte.internal.example").flytectlConfig);
        expect(at(doc, "admin", "endpoint")).toBe("dns:///flyte.internal.example:8089");
        expect(at(doc, "admin", "insecure")).toBe(true);
        expect(doc).toEqual({
            admin: { endpoint: "dns:///flyte.internal.example:8089", insecure: true },
            logger: { "show-source": true, level: 0 },
        });
    });
});
