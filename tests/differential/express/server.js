// Express + cors peer for tests/differential/run.sh, configured the way the guide does it:
// policy "origin https://frontend.example.com, methods GET and POST,
// headers Content-Type and Authorization, credentials".
'use strict';
const express = require('express');
const cors = require('cors');

const port = Number(process.argv[2] || process.env.PORT || 3000);
const app = express();

app.use(cors({
  origin: 'https://frontend.example.com',
  methods: ['GET', 'POST'],
  allowedHeaders: ['Content-Type', 'Authorization'],
  credentials: true,
}));

app.get('/api/data', (req, res) => res.send('data'));
app.post('/api/data', (req, res) => res.send('posted'));

app.listen(port, '127.0.0.1', () => {
  console.log(`express+cors listening on http://127.0.0.1:${port}`);
});
