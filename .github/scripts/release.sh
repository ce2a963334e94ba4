#!/usr/bin/env bash
# Tags a release of the action, in the way of actions/typescript-action's script/release:
#
#   .github/scripts/release.sh            # asks for the new tag
#   .github/scripts/release.sh v1.2.0     # or takes it as the argument
#
# 1. checks that the working tree is clean and HEAD is the remote's main;
# 2. shows the latest release tag and asks for the new one (vMAJOR.MINOR.PATCH);
# 3. checks that it is semantic, greater than the latest, equal to package.json's version, that
#    CHANGELOG.md has a dated section for it, and that dist/ is a fresh build;
# 4. creates the annotated tag and pushes it.
#
# Pushing the tag starts .github/workflows/release.yml, which checks the tagged commit again,
# publishes the GitHub release with the CHANGELOG section as its notes, and moves the major tag
# (v1) to it. The major tag moves only there, after those checks, never from a laptop.
#
# RELEASE_REMOTE names the remote (default origin).
set -euo pipefail

remote=${RELEASE_REMOTE:-origin}
semver_tag='^v([0-9]+)\.([0-9]+)\.([0-9]+)$'

bold=$'\033[1m' red=$'\033[1;31m' green=$'\033[1;32m' blue=$'\033[1;34m' off=$'\033[0m'
[ -t 1 ] || { bold='' red='' green='' blue='' off=''; }
die() {
  echo "${red}error:${off} $*" >&2
  exit 1
}

cd "$(git rev-parse --show-toplevel)"

# 1. A clean tree at the tip of the remote's main.
[ -z "$(git status --porcelain)" ] || die "the working tree has changes; commit or stash them first."
git fetch --quiet --tags "$remote" main
[ "$(git rev-parse HEAD)" = "$(git rev-parse "$remote/main")" ] ||
  die "HEAD is not $remote/main. Check out main and pull, so the release is what main holds."

# 2. The latest release tag, and the new one.
latest=$(git tag --list 'v*' | grep -E "$semver_tag" | sort -V | tail -n 1 || true)
echo "The latest release tag is: ${blue}${latest:-(none yet)}${off}"
new_tag=${1:-}
if [ -z "$new_tag" ]; then
  read -r -p 'New release tag (vMAJOR.MINOR.PATCH): ' new_tag
fi

# 3. Checks.
[[ "$new_tag" =~ $semver_tag ]] || die "'$new_tag' is not of the form vMAJOR.MINOR.PATCH, e.g. v1.2.0."
major="v${BASH_REMATCH[1]}"
version=${new_tag#v}
if git rev-parse --quiet --verify "refs/tags/$new_tag" >/dev/null; then
  die "the tag $new_tag exists already."
fi
if [ -n "$latest" ] && [ "$(printf '%s\n%s\n' "$latest" "$new_tag" | sort -V | tail -n 1)" != "$new_tag" ]; then
  die "$new_tag is not greater than the latest release, $latest."
fi
package_version=$(sed -nE 's/^  "version": "([^"]+)",?$/\1/p' package.json)
[ "$package_version" = "$version" ] ||
  die "package.json says ${package_version:-nothing}. Run 'npm version $version --no-git-tag-version', date the CHANGELOG section, commit, push, then run this again."
grep -qE "^## \[$(sed 's/\./\\./g' <<<"$version")\] - [0-9]{4}-[0-9]{2}-[0-9]{2}$" CHANGELOG.md ||
  die "CHANGELOG.md has no section '## [$version] - YYYY-MM-DD'. Rename '## [Unreleased]' to it (and start a new empty Unreleased), commit, push, then run this again."
if [ -d node_modules ]; then
  echo "Checking that dist/ is a fresh build of src/"
  npm run --silent bundle >/dev/null
  [ -z "$(git status --porcelain -- dist)" ] || die "dist/ is stale: run 'npm run bundle', commit dist/, push, then run this again."
else
  echo "node_modules is missing: skipping the dist/ check here (the release workflow makes it)."
fi

# 4. Tag and push.
if [ -z "$latest" ] || [ "$major" != "$(grep -oE '^v[0-9]+' <<<"$latest")" ]; then
  echo "${bold}$new_tag starts the major version $major.${off}"
fi
git tag --annotate "$new_tag" --message "$new_tag"
git push --quiet "$remote" "refs/tags/$new_tag"
echo "${green}Pushed $new_tag.${off} The release workflow now checks it, publishes the release and moves $major to it."
