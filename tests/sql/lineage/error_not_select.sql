insert into t select * from s
