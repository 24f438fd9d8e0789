import type { Agent as HttpAgent, ClientRequest, Agent as PlainAgent } from 'node:http';
import type { Agent as TlsAgent } from 'node:https';
import { RequestWatch } from './request-watch';
import type { SpeedFloor } from '../transfer-guard';

/** Makes `agent` watch every request it carries (Node hands each ClientRequest to its agent's `addRequest`: lib/_http_client.js). */
function watching<A extends HttpAgent>(agent: A, floor: SpeedFloor): A {
  // addRequest is not in @types/node, but every ClientRequest calls it on its agent (agent-base relies on it too)
  const internal = agent as unknown as { addRequest: (req: ClientRequest, options: unknown) => void };
  const addRequest = internal.addRequest.bind(agent);
  internal.addRequest = (req, options) => {
    new RequestWatch(req, floor);
    addRequest(req, options);
  };
  return agent;
}

/** http and https agents (keep-alive, 50 sockets: the SDK's defaults) whose requests are held to the speed floor. */
export function speedFloorAgents(floor: SpeedFloor): { httpAgent: PlainAgent; httpsAgent: TlsAgent } {
  // loaded here, not imported: an import would load http and https when the bundle starts, for every `--help`
  const { Agent: Plain } = process.getBuiltinModule('node:http');
  const { Agent: Tls } = process.getBuiltinModule('node:https');
  return {
    httpAgent: watching(new Plain({ keepAlive: true, maxSockets: 50 }), floor),
    httpsAgent: watching(new Tls({ keepAlive: true, maxSockets: 50 }), floor),
  };
}
