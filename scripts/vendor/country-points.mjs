// One point per country of Natural Earth's 1:50m admin-0 map (world-atlas): the centroid of the
// country's largest polygon, so that France is placed in Europe and not between Paris and Cayenne.
// Run by scripts/refresh-vendor.sh inside the temporary npm folder; writes JSON to stdout:
// {"250": [2.5, 46.6, "France"], ...}, keyed by the ISO 3166-1 numeric code world-atlas uses as id.
import { readFileSync } from "node:fs";
import { geoArea, geoCentroid } from "d3-geo";
import { feature } from "topojson-client";

const topo = JSON.parse(readFileSync("node_modules/world-atlas/countries-50m.json", "utf8"));
const out = {};
for (const f of feature(topo, topo.objects.countries).features) {
  if (!f.id || !f.geometry) continue;
  const polygons = f.geometry.type === "MultiPolygon" ? f.geometry.coordinates : [f.geometry.coordinates];
  let best = null, bestArea = -1;
  for (const p of polygons) {
    const g = { type: "Polygon", coordinates: p };
    const a = geoArea(g);
    if (a > bestArea) { best = g; bestArea = a; }
  }
  const [lon, lat] = geoCentroid(best);
  out[f.id] = [Math.round(lon * 100) / 100, Math.round(lat * 100) / 100, f.properties.name];
}
const keys = Object.keys(out).sort();
process.stdout.write("{\n" + keys.map(k => `${JSON.stringify(k)}: ${JSON.stringify(out[k])}`).join(",\n") + "\n}\n");
