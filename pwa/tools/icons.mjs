// App icons drawn in code (a white bridge on the theme colour) and encoded as PNG
// with node's zlib: no image tools, no downloads.
import { deflateSync } from "node:zlib";

const BG = [0x00, 0x3d, 0x73];
const FG = [0xff, 0xff, 0xff];

function crc32(buf) {
  let c, crc = 0xffffffff;
  for (let n = 0; n < buf.length; n++) {
    c = (crc ^ buf[n]) & 0xff;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    crc = (crc >>> 8) ^ c;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

function encodePng(size, rgba) {
  const raw = Buffer.alloc((size * 4 + 1) * size);
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk("IHDR", ihdr), chunk("IDAT", deflateSync(raw, { level: 9 })), chunk("IEND", Buffer.alloc(0))]);
}

// Shape test in unit coordinates (-1..1): is this point part of the bridge?
function bridge(x, y) {
  const r = Math.hypot(x, y - 0.35);
  const arc = y < 0.35 && r > 0.52 && r < 0.66; // the arch
  const deck = y > -0.08 && y < 0.04 && x > -0.78 && x < 0.78; // the road
  const pillar = y >= 0.04 && y < 0.35 && (Math.abs(x + 0.59) < 0.07 || Math.abs(x - 0.59) < 0.07);
  const hangers = y > -0.3 && y <= -0.08 && [-0.3, 0, 0.3].some((px) => Math.abs(x - px) < 0.035) && r < 0.56;
  return arc || deck || pillar || hangers;
}

export function makeIcon(size, maskable) {
  const rgba = Buffer.alloc(size * size * 4);
  const ss = 4; // supersampling per axis
  const scale = maskable ? 0.62 : 0.78; // maskable: keep content in the safe zone
  const radius = maskable ? 0 : 0.22; // rounded corners for the "any" icon
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let fg = 0, inside = 0;
      for (let sy = 0; sy < ss; sy++) {
        for (let sx = 0; sx < ss; sx++) {
          const u = ((px + (sx + 0.5) / ss) / size) * 2 - 1;
          const v = ((py + (sy + 0.5) / ss) / size) * 2 - 1;
          const cx = Math.max(Math.abs(u) - (1 - radius), 0);
          const cy = Math.max(Math.abs(v) - (1 - radius), 0);
          if (radius && Math.hypot(cx, cy) > radius) continue;
          inside++;
          if (bridge(u / scale, v / scale)) fg++;
        }
      }
      const total = ss * ss;
      const i = (py * size + px) * 4;
      const f = inside ? fg / inside : 0;
      for (let c = 0; c < 3; c++) rgba[i + c] = Math.round(BG[c] * (1 - f) + FG[c] * f);
      rgba[i + 3] = Math.round((inside / total) * 255);
    }
  }
  return encodePng(size, rgba);
}
