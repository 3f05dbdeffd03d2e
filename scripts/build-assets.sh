#!/bin/sh
# Rebuild the committed front-end files from the npm packages in package.json.
# Needs Node (npm ci first). `make demo` and `make test` do NOT run this: they use the copies.
set -eu
cd "$(dirname "$0")/.."
STATIC=src/familyreach/web/static
rm -rf "$STATIC/govuk" "$STATIC/vendor"
mkdir -p "$STATIC/govuk" "$STATIC/vendor/leaflet" "$STATIC/familyreach"
cp -R node_modules/govuk-frontend/dist/govuk/assets "$STATIC/govuk/assets"
cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js "$STATIC/govuk/"
cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css "$STATIC/vendor/leaflet/"
cp -R node_modules/leaflet/dist/images "$STATIC/vendor/leaflet/images"
cp node_modules/chart.js/dist/chart.umd.min.js "$STATIC/vendor/chart.umd.min.js"
cp node_modules/htmx.org/dist/htmx.min.js "$STATIC/vendor/htmx.min.js"
# axe-core is only for the browser tests; it is injected by them, never served.
mkdir -p tests/browser_assets && cp node_modules/axe-core/axe.min.js tests/browser_assets/axe.min.js
npx sass --no-source-map --style=compressed --pkg-importer=node --quiet-deps \
  src/familyreach/web/assets/app.scss "$STATIC/familyreach/app.css"
for f in govuk-frontend leaflet chart.js htmx.org axe-core; do
  printf '%s %s\n' "$f" "$(node -p "require('./node_modules/$f/package.json').version")"
done > "$STATIC/vendor/VERSIONS.txt"
echo "assets built into $STATIC"
