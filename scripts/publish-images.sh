#!/usr/bin/env bash
# Builds the product's three container images with the .NET SDK (no Dockerfile; the settings are in the project files,
# see build/ContainerImage.props) and pushes them to a registry:
#   sparkify-ingest, sparkify-transform (the workers) and sparkify-cli (the `sparkify` tool: migration task, ad-hoc loads).
#
#   scripts/publish-images.sh REGISTRY [TAG]
#
# REGISTRY  where to push, e.g. 123456789012.dkr.ecr.eu-west-1.amazonaws.com (log in first with the standard tooling:
#           aws ecr get-login-password | docker login --username AWS --password-stdin REGISTRY — or podman login).
# TAG       the image tag; default <version>-<git commit>, e.g. 1.0.0-9ea7617. Deploy with the same tag
#           (cdk deploy -c imageTag=TAG).
# SPARKIFY_BASE_IMAGE  replaces the base image (mcr.microsoft.com/dotnet/runtime-deps:10.0): the local rehearsal builds
#           on one made on this machine (scripts/local-base-image.sh). Nothing else differs between the two builds.
# SPARKIFY_DATABASE_CA_BUNDLE  another CA bundle for the database's TLS certificate than the RDS one (see
#           build/DatabaseCaBundle.props): the local rehearsal's test CA, or the CA of an existing database.
# A registry on loopback (127.0.0.1:PORT, localhost:PORT) is spoken to over plain HTTP.
# Prints the pushed image references, one a line, on stdout.
set -euo pipefail

registry=${1:?usage: publish-images.sh REGISTRY [TAG]}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

if [[ $# -ge 2 ]]; then
  tag=$2
else
  version=$(dotnet msbuild Sparkify.Cli/Sparkify.Cli.csproj -getProperty:Version -nologo)
  tag="$version-$(git rev-parse --short=7 HEAD 2>/dev/null || echo local)"
fi
if [[ ! $tag =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]]; then
  echo "error: '$tag' is not a valid image tag" >&2
  exit 2
fi

if [[ $registry == 127.0.0.1:* || $registry == localhost:* ]]; then
  export DOTNET_CONTAINER_INSECURE_REGISTRIES="${DOTNET_CONTAINER_INSECURE_REGISTRIES:+$DOTNET_CONTAINER_INSECURE_REGISTRIES,}$registry"
fi
base=()
if [[ -n ${SPARKIFY_BASE_IMAGE:-} ]]; then
  base=(-p "ContainerBaseImage=$SPARKIFY_BASE_IMAGE")
fi
if [[ -n ${SPARKIFY_DATABASE_CA_BUNDLE:-} ]]; then
  base+=(-p "DatabaseCaBundle=$SPARKIFY_DATABASE_CA_BUNDLE" -p "DatabaseCaBundleSha256=$(sha256sum "$SPARKIFY_DATABASE_CA_BUNDLE" | cut -d' ' -f1)")
fi

# The publish builds in a folder of its own, so that it never rewrites the bin/ folders that tests or a running
# AppHost are using.
artifacts="$root/artifacts/containers"
for project in Sparkify.Ingest Sparkify.Transform Sparkify.Cli; do
  echo "Publishing $project..." >&2
  dotnet publish "$project/$project.csproj" -c Release -t:PublishContainer -nologo -v q -clp:ErrorsOnly \
    --artifacts-path "$artifacts" -p "ContainerRegistry=$registry" -p "ContainerImageTag=$tag" "${base[@]}" >&2
  repository=$(dotnet msbuild "$project/$project.csproj" -getProperty:ContainerRepository -nologo)
  echo "$registry/$repository:$tag"
done
