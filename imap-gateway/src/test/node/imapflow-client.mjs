// Drives imapflow against imap-gateway for RealClientsIT: prints one line per step, which the test checks.
// Usage: node imapflow-client.mjs <host> <port> <user> <password>
import { ImapFlow } from 'imapflow';

const [host, port, user, pass] = process.argv.slice(2);
const client = new ImapFlow({
    host, port: Number(port), secure: true, auth: { user, pass },
    tls: { rejectUnauthorized: false }, logger: false,
});

await client.connect();
const mailboxes = await client.list();
console.log('LIST ' + mailboxes.map(box => box.path + (box.specialUse ? '=' + box.specialUse : '')).sort().join(','));

const inbox = await client.mailboxOpen('INBOX');
console.log('EXISTS ' + inbox.exists + ' UIDVALIDITY ' + inbox.uidValidity + ' MODSEQ ' + (inbox.highestModseq ?? 'none'));

for await (const message of client.fetch('1:*', { uid: true, flags: true, envelope: true, bodyStructure: true })) {
    console.log('MESSAGE ' + message.uid + ' ' + message.envelope.subject + ' ' + message.bodyStructure.type);
}
const body = await client.fetchOne('1', { source: true });
console.log('SOURCE ' + body.source.toString().includes('Hi Alice'));

await client.messageFlagsAdd('1', ['\\Flagged', '$Important']);
console.log('FLAGGED ' + (await client.search({ flagged: true }, { uid: true })).join(' '));

const appended = await client.append('Drafts', 'Subject: draft\r\n\r\nunfinished\r\n', ['\\Draft']);
console.log('APPENDUID ' + (appended.uid ?? 'none'));

const moved = await client.messageMove('1', 'Archive');
console.log('MOVED ' + (moved?.uidMap?.size ?? 0));

// IDLE: the test files a message elsewhere once it sees IDLING, and expects EXISTS here
const arrived = new Promise(resolve => client.on('exists', data => resolve(data.count)));
const idling = client.idle();
console.log('IDLING');
const count = await arrived;
console.log('EXISTS-EVENT ' + count);
await client.logout();
await idling.catch(() => {});
console.log('DONE');
