// Drives the `sotto` wasm package from Node.js for the end-to-end tests
// (tests/tests/wasm.rs). Prints one JSON line per command; exits 0 on
// success, 3 with {"error": code, "message"} on a package error.
//
//   node --experimental-websocket sotto-node.mjs <pkg> participate <link> <answer-json>
//   node --experimental-websocket sotto-node.mjs <pkg> keygen <keyfile> <passphrase>
//   node --experimental-websocket sotto-node.mjs <pkg> member <link> <keyfile> <passphrase>
//   node --experimental-websocket sotto-node.mjs <pkg> verify <read-link>
//   node --experimental-websocket sotto-node.mjs <pkg> invalid <link> <answer-json>
import { readFile, writeFile } from "node:fs/promises";
import { pathToFileURL } from "node:url";
import path from "node:path";

const [pkg, command, ...args] = process.argv.slice(2);
// Each command loads the module a real app of its kind would: answering
// and verifying take the participant's module (what a participant's page
// loads), making a key file the console's module (what the committee
// console loads), and a member daemon, which reads a key file and
// computes, the node module, which has both.
const MODULE = { member: "node", keygen: "console" };
const web = path.resolve(pkg, MODULE[command] ?? "participant");
const sotto = await import(pathToFileURL(path.join(web, "sotto.js")).href);
await sotto.default({ module_or_path: await readFile(path.join(web, "sotto_bg.wasm")) });

if (typeof WebSocket === "undefined") {
  console.error("no global WebSocket: run Node 22, or Node 20 with --experimental-websocket");
  process.exit(2);
}

function out(value) {
  console.log(JSON.stringify(value));
}

try {
  switch (command) {
    case "participate": {
      const [link, answer] = args;
      const p = await sotto.Participant.open(link);
      const receipt = await p.submit(JSON.parse(answer));
      out({ receipt, title: p.title, kind: p.kind, committee: p.committee() });
      break;
    }
    case "participate-twice": {
      // The same answer submitted twice on one object (an app retrying).
      const [link, answer] = args;
      const p = await sotto.Participant.open(link);
      const first = await p.submit(JSON.parse(answer));
      const again = await p.submit(JSON.parse(answer));
      out({ first, again });
      break;
    }
    case "invalid": {
      const [link, answer] = args;
      const p = await sotto.Participant.open(link);
      out(p.validate(JSON.parse(answer)));
      break;
    }
    case "keygen": {
      const [file, passphrase] = args;
      const m = sotto.CommitteeMember.generate();
      await writeFile(file, m.toKeyFile(passphrase));
      out(m.publicKeys());
      break;
    }
    case "member": {
      const [link, file, passphrase] = args;
      const m = sotto.CommitteeMember.fromKeyFile(await readFile(file), passphrase);
      const stages = [];
      const outcome = await m.run(link, (p) => stages.push(p.stage));
      out({ outcome, stages: [...new Set(stages)] });
      break;
    }
    case "verify": {
      out(await sotto.verifyResult(args[0]));
      break;
    }
    default:
      console.error(`unknown command ${command}`);
      process.exit(2);
  }
} catch (err) {
  out({ error: err?.code ?? "no_code", message: String(err?.message ?? err) });
  process.exit(3);
}
