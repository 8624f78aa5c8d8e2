-- 分词用户词典：城市自己的地名、单位名称、执法用语，由管理员在“分拣配置”中增删，分词时作为一个词
-- The jieba user dictionary (place names, unit names, enforcement terms) as data an admin edits.
-- Every change replaces user_word_stamp.stamp in the same transaction; each instance compares the stamp with the one it
-- loaded and reloads its segmenter when they differ, so a change takes effect without a restart.

CREATE TABLE user_word (
  word       text PRIMARY KEY CHECK (char_length(word) BETWEEN 2 AND 20),
  category   text NOT NULL DEFAULT 'other' CHECK (category IN ('place', 'unit', 'term', 'other')),
  created_by integer REFERENCES app_user (id),
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE user_word_stamp (
  id         boolean PRIMARY KEY DEFAULT true CHECK (id),
  stamp      text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO user_word_stamp (stamp) VALUES ('initial');
