import { describeGcpStack } from "../helpers/gcpStack";

describeGcpStack("prod", {
    protectedData: true,
    highAvailability: true,
    forceDestroyBuckets: false,
    clusterLocation: "europe-west1",
    loadBalancerIp: "10.0.0.20",
});
