#!/usr/bin/env bash
# Downloads the Amazon RDS global CA bundle into build/certs/rds-global-bundle.pem (where build/DatabaseCaBundle.props
# takes it from for the images) and prints its SHA-256 and the certificates it holds. Check them, put the SHA-256 into
# DatabaseCaBundleSha256 in build/DatabaseCaBundle.props, and commit both files. Needs curl and openssl, and network
# access to AWS's trust store (the images never fetch it at run time).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
source_url=$(sed -n 's:.*<DatabaseCaBundleSource>\(.*\)</DatabaseCaBundleSource>.*:\1:p' "$root/build/DatabaseCaBundle.props")
target="$root/build/certs/rds-global-bundle.pem"
mkdir -p "$(dirname "$target")"
curl --fail --silent --show-error --proto '=https' --tlsv1.2 -o "$target.download" "$source_url"
mv "$target.download" "$target"
echo "Certificates in $target:" >&2
openssl crl2pkcs7 -nocrl -certfile "$target" | openssl pkcs7 -print_certs -noout | grep '^subject' >&2
echo "DatabaseCaBundleSha256: $(sha256sum "$target" | cut -d' ' -f1)"
