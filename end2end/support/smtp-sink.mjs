// A small SMTP server for the end-to-end tests: Stratus delivers to it over SMTP
// (port 4025), and the tests read what arrived as JSON over HTTP (port 4026).
import net from 'node:net';
import http from 'node:http';

const mails = [];

function decodeQuotedPrintable(text) {
  const bytes = [];
  const raw = text.replace(/=\r?\n/g, '');
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === '=' && /^[0-9A-F]{2}$/i.test(raw.slice(i + 1, i + 3))) {
      bytes.push(parseInt(raw.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(raw[i], 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/// The decoded text/plain part of a MIME message.
function plainText(data) {
  const boundary = /boundary="?([^";\r\n]+)"?/i.exec(data)?.[1];
  if (!boundary) return data;
  for (const part of data.split(`--${boundary}`)) {
    const split = part.indexOf('\r\n\r\n');
    if (split < 0) continue;
    const head = part.slice(0, split);
    const body = part.slice(split + 4);
    if (!/content-type:\s*text\/plain/i.test(head)) continue;
    const encoding = /content-transfer-encoding:\s*(\S+)/i.exec(head)?.[1]?.toLowerCase();
    if (encoding === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
    if (encoding === 'quoted-printable') return decodeQuotedPrintable(body);
    return body;
  }
  return '';
}

net
  .createServer((socket) => {
    let buffer = '';
    let inData = false;
    let data = '';
    let to = [];
    socket.write('220 sink.e2e ESMTP\r\n');
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      let at;
      while ((at = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, at);
        buffer = buffer.slice(at + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            mails.push({ to, text: plainText(data) });
            to = [];
            data = '';
            socket.write('250 OK\r\n');
          } else {
            data += (line.startsWith('..') ? line.slice(1) : line) + '\r\n';
          }
          continue;
        }
        const command = line.toUpperCase();
        if (command.startsWith('EHLO')) socket.write('250-sink.e2e\r\n250 8BITMIME\r\n');
        else if (command.startsWith('RCPT TO')) {
          to.push(line.slice(8).trim().replace(/^<|>$/g, '').toLowerCase());
          socket.write('250 OK\r\n');
        } else if (command === 'DATA') {
          inData = true;
          socket.write('354 go ahead\r\n');
        } else if (command === 'QUIT') {
          socket.end('221 bye\r\n');
        } else socket.write('250 OK\r\n');
      }
    });
    socket.on('error', () => {});
  })
  .listen(4025, '127.0.0.1');

http
  .createServer((request, response) => {
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify(mails));
  })
  .listen(4026, '127.0.0.1');
