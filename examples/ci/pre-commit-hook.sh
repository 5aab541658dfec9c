#!/bin/sh
# pre-commit hook: refuse a commit whose zone files would break mail authentication.
# Install: cp examples/ci/pre-commit-hook.sh .git/hooks/pre-commit && chmod +x .git/hooks/pre-commit
# Zone files are named <domain>.zone; the staged ones are checked in one mailtriage run, like
# the GitHub Actions example: reverse zones (*.in-addr.arpa, *.ip6.arpa) are served for the PTR
# checks but are not sending domains, so they are not checked as such.
domains=""
zone_args=""
for zone in $(git diff --cached --name-only --diff-filter=ACM -- '*.zone'); do
    zone_args="$zone_args --zone $zone"
    domain=$(basename "$zone" .zone)
    case "$domain" in *.in-addr.arpa|*.ip6.arpa) continue ;; esac
    domains="$domains $domain"
done
[ -n "$domains" ] || exit 0
# shellcheck disable=SC2086 # word splitting of the lists is intended
mailtriage check $domains $zone_args --offline --fail-on error
status=$?
if [ "$status" -ne 0 ]; then
    echo "pre-commit: the staged zone files have mail-authentication errors (see above; exit $status)" >&2
    exit 1
fi
