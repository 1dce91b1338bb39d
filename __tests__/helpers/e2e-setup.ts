// A real stack takes seconds to come up and down; jest's 5 s default is for unit tests.
jest.setTimeout(300000);
