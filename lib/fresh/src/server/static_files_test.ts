import { deepEqual, equal } from "node:assert/strict";
import { join } from "node:path";
import { scanStaticDir, urlPath } from "./static_files.ts";

Deno.test("urlPath percent-encodes file names as a request URL carries them", () => {
  equal(urlPath("styles.css"), "/styles.css");
  equal(urlPath(join("img", "a b.png")), "/img/a%20b.png");
  equal(urlPath("100%.txt"), "/100%25.txt");
  equal(urlPath("what?.txt"), "/what%3F.txt");
  equal(urlPath("c#.txt"), "/c%23.txt");
  equal(urlPath("über.txt"), "/%C3%BCber.txt");
});

Deno.test("scanStaticDir keys files by the pathname a browser requests", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(join(dir, "sub dir"));
    await Deno.writeTextFile(join(dir, "sub dir", "what?.txt"), "x");
    await Deno.writeTextFile(join(dir, "a.css"), "body{}");
    const files = await scanStaticDir(dir, "build");
    deepEqual([...files.keys()].sort(), ["/a.css", "/sub%20dir/what%3F.txt"]);
    const requested = new URL("http://localhost/sub%20dir/what%3F.txt");
    equal(files.get(requested.pathname)?.size, 1);
    equal(files.get("/a.css")?.contentType, "text/css; charset=UTF-8");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
