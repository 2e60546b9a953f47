// Sends one message with nodemailer and prints what the server answered.
// usage: node nodemailer-client.mjs <port> <secure:true|false> <user> <password> <to>
import nodemailer from 'nodemailer';

const [port, secure, user, pass, to] = process.argv.slice(2);
const transport = nodemailer.createTransport({
  host: '127.0.0.1',
  port: Number(port),
  secure: secure === 'true',       // implicit TLS (465); otherwise STARTTLS, which requireTLS makes mandatory
  requireTLS: secure !== 'true',
  name: 'node.test',
  auth: { user, pass },
  tls: { rejectUnauthorized: false }, // the test server's certificate is self-signed
  connectionTimeout: 15000,
  greetingTimeout: 15000,
  socketTimeout: 15000,
});
try {
  const info = await transport.sendMail({
    from: `"Alice" <${user}>`,
    to,
    subject: `from nodemailer ${secure === 'true' ? 'implicit TLS' : 'STARTTLS'}`,
    text: 'Hello from nodemailer\n.a line starting with a dot\n',
  });
  console.log(`ACCEPTED ${info.accepted.join(',')}`);
  console.log(`RESPONSE ${info.response}`);
} catch (error) {
  console.log(`FAILED ${error.code} ${error.response ?? error.message}`);
  process.exitCode = 1;
}
