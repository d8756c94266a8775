// Unit tests run in Node against fake-indexeddb; real-browser behaviour is covered by *.browser.test.ts.
import 'fake-indexeddb/auto';
