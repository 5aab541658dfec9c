#!/bin/sh
# pre-commit hook: refuse a commit whose zone files would break mail authentication.
# Install: cp examples/ci/pre-commit-hook.sh .git/hooks/pre-commit && chmod +x .git/hooks/pre-commit
# Zone files are named <domain>.zone; only staged ones are checked.
status=0
for zone in $(git diff --cached --name-only --diff-filter=ACM -- '*.zone'); do
    domain=$(basename "$zone" .zone)
    case "$domain" in *.in-addr.arpa|*.ip6.arpa) continue ;; esac
    if ! mailtriage check "$domain" --zone "$zone" --offline --fail-on error; then
        echo "pre-commit: $zone has mail-authentication errors (see above)" >&2
        status=1
    fi
done
exit $status
